package dev.braid.internal.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.proto.worker.v1.GatewayBatch;
import dev.braid.proto.worker.v1.GatewayFrame;
import dev.braid.proto.worker.v1.Ping;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Holding frames back while an inbound batch is handled, on a fake stream. */
@Timeout(10)
class FrameWriterTest {
  /** Records what is written; always ready. */
  private static final class Recorder extends ServerCallStreamObserver<GatewayBatch> {
    final List<GatewayBatch> batches = new CopyOnWriteArrayList<>();
    volatile boolean completed;

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable r) {}

    @Override
    public void setCompression(String c) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable r) {}

    @Override
    public void request(int n) {}

    @Override
    public void setMessageCompression(boolean on) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void onNext(GatewayBatch b) {
      batches.add(b);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {
      completed = true;
    }
  }

  private static GatewayFrame ping(long n) {
    return GatewayFrame.newBuilder().setPing(Ping.newBuilder().setSeq(n)).build();
  }

  @Test
  void framesSentWhileHeldLeaveTogetherOnRelease() {
    Recorder out = new Recorder();
    FrameWriter w = new FrameWriter(out, Runnable::run);
    w.hold();
    for (int i = 0; i < 5; i++) {
      w.send(ping(i));
      w.sendSoon(ping(10 + i));
    }
    assertThat(out.batches).isEmpty();
    w.release();
    assertThat(out.batches).hasSize(1);
    assertThat(out.batches.get(0).getFramesCount()).isEqualTo(10);
    w.send(ping(99)); // not held any more: goes at once
    assertThat(out.batches).hasSize(2);
  }

  @Test
  void completingFlushesEvenWhileHeld() {
    Recorder out = new Recorder();
    FrameWriter w = new FrameWriter(out, Runnable::run);
    w.hold();
    w.send(ping(1));
    w.complete();
    assertThat(out.batches).hasSize(1);
    assertThat(out.completed).isTrue();
  }
}
