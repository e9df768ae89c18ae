package dev.braid.conformance.worker;

import dev.braid.proto.worker.v1.GatewayBatch;
import dev.braid.proto.worker.v1.GatewayFrame;
import dev.braid.proto.worker.v1.WorkerBatch;
import dev.braid.proto.worker.v1.WorkerFrame;
import dev.braid.proto.worker.v1.WorkerHubGrpc;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The gateway's side of the worker protocol for the case table: a WorkerHub server on a Unix socket
 * (like the real hub) that records every frame a worker sends. One worker connection per hub.
 *
 * <p>Frames arrive on gRPC threads; {@link #frames()} and the waits read them under this object's
 * monitor.
 */
final class FakeHub implements AutoCloseable {
  private final Server server;
  private final EventLoopGroup group;
  private final List<WorkerFrame> frames = new ArrayList<>();
  private final List<Integer> batchSizes = new ArrayList<>();
  private final CompletableFuture<StreamObserver<GatewayBatch>> connected =
      new CompletableFuture<>();
  private final CompletableFuture<Void> halfClosed = new CompletableFuture<>();

  @SuppressWarnings("deprecation") // EpollEventLoopGroup: what grpc-java's examples still use
  FakeHub(Path socket) throws IOException {
    group = new EpollEventLoopGroup(1);
    server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .maxInboundMessageSize(32 << 20)
            .addService(new Hub())
            .build()
            .start();
  }

  /** Waits for the worker to open its stream. */
  void awaitConnected(Duration within) throws Exception {
    connected.get(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Writes {@code batch} to the worker; serialized, as a StreamObserver requires. */
  synchronized void send(List<GatewayFrame> batch) throws Exception {
    connected.getNow(null).onNext(GatewayBatch.newBuilder().addAllFrames(batch).build());
  }

  /** Ends the stream from the gateway side with status OK. */
  synchronized void endStream() {
    connected.getNow(null).onCompleted();
  }

  /** Stops serving at once: the worker sees the gateway vanish. */
  void vanish() {
    server.shutdownNow();
  }

  /** Every frame received so far, in order. */
  synchronized List<WorkerFrame> frames() {
    return List.copyOf(frames);
  }

  synchronized List<Integer> batchSizes() {
    return List.copyOf(batchSizes);
  }

  /**
   * Waits until {@code ready} holds on the received frames, re-checked on each batch; throws
   * TimeoutException after {@code within}.
   */
  synchronized void await(BooleanSupplier ready, Duration within, String what)
      throws InterruptedException, TimeoutException {
    long end = System.nanoTime() + within.toNanos();
    while (!ready.getAsBoolean()) {
      long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
      if (left <= 0) {
        throw new TimeoutException(
            "timed out after " + within.toMillis() + " ms waiting for " + what);
      }
      wait(left);
    }
  }

  void awaitHalfClosed(Duration within) throws Exception {
    halfClosed.get(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
  }

  private synchronized void received(WorkerBatch batch) {
    batchSizes.add(batch.getFramesCount());
    frames.addAll(batch.getFramesList());
    notifyAll();
  }

  private final class Hub extends WorkerHubGrpc.WorkerHubImplBase {
    @Override
    public StreamObserver<WorkerBatch> connect(StreamObserver<GatewayBatch> responses) {
      connected.complete(responses);
      return new StreamObserver<>() {
        @Override
        public void onNext(WorkerBatch batch) {
          received(batch);
        }

        @Override
        public void onError(Throwable t) {
          halfClosed.complete(null);
        }

        @Override
        public void onCompleted() {
          halfClosed.complete(null);
        }
      };
    }
  }
}
