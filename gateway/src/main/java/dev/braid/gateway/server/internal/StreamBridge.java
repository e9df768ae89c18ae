package dev.braid.gateway.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.RemoteStream;
import dev.braid.model.BraidFailure;
import dev.braid.model.CancelReason;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Failures;
import dev.braid.proto.api.v1.InvokeStreamResponse;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;

/**
 * Carries a generator's items ({@link dev.braid.api.RemoteStream}) to a gRPC server stream with
 * end-to-end backpressure: items are requested from the worker only while the client's transport is
 * ready, at most {@link #WINDOW} ahead, so a slow client slows the generator down instead of
 * filling the server's memory.
 *
 * <p>Signals come from Braid's I/O thread (items, end) and gRPC threads (ready, cancel); every call
 * on the observer happens under this object's lock.
 */
final class StreamBridge implements Flow.Subscriber<JsonNode> {
  static final int WINDOW = 16;

  private final ServerCallStreamObserver<InvokeStreamResponse> out;
  private final Runnable onEnd;
  private final ServerLimits limits;
  private final PayloadBudget.Hold hold;
  // guarded by this
  private Flow.Subscription subscription;
  private long outstanding;
  private long seq;
  private boolean done;
  private boolean cancelRequested;
  private CancelReason cancelReason;
  private final RemoteStream stream;

  StreamBridge(
      RemoteStream stream,
      ServerCallStreamObserver<InvokeStreamResponse> out,
      ServerLimits limits,
      PayloadBudget.Hold hold,
      Runnable onEnd) {
    this.stream = stream;
    this.limits = limits;
    this.hold = hold;
    this.out = out;
    this.onEnd = onEnd;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    boolean cancelNow;
    synchronized (this) {
      subscription = s;
      cancelNow = cancelRequested;
    }
    if (cancelNow) {
      stream.cancel(cancelReasonOrCancelled());
      return;
    }
    requestMore();
  }

  /**
   * Sends an item. One that does not fit in a message ends the stream with {@code
   * RESOURCE_EXHAUSTED} (the items before it were sent) and cancels the generator.
   */
  @Override
  public void onNext(JsonNode item) {
    String json = ApiProtos.json(item);
    boolean tooLarge = false;
    synchronized (this) {
      outstanding--;
      if (done || out.isCancelled()) {
        return;
      }
      if (!limits.fits(json)) {
        done = true;
        tooLarge = true;
        out.onError(limits.tooLarge("item " + seq, json));
      } else {
        long size = ServerLimits.wireSize(json);
        hold.grow(size);
        out.onNext(InvokeStreamResponse.newBuilder().setItemJson(json).setSeq(seq++).build());
        hold.shrink(size);
      }
    }
    if (tooLarge) {
      stream.cancel(CancelReason.CANCELLED);
      onEnd.run();
      return;
    }
    requestMore();
  }

  @Override
  public void onError(Throwable t) {
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      if (!out.isCancelled()) {
        Throwable u = Failures.unwrap(t);
        Failure f =
            u instanceof CancellationException && !(u instanceof BraidFailure)
                ? Failure.cancelled(CancelReason.CANCELLED, "cancelled")
                : Failures.fromThrowable(u);
        if (f.code() == FailureCode.CANCELLED && cancelReason == CancelReason.SHUTDOWN) {
          // RemoteStream cancels with reason 'cancelled' only; the client learns the real one
          f = Failure.cancelled(CancelReason.SHUTDOWN, "the server is shutting down");
        }
        if (f.code() == FailureCode.APPLICATION) {
          out.onNext(
              InvokeStreamResponse.newBuilder()
                  .setFailure(ApiProtos.failure(f))
                  .setSeq(seq)
                  .build());
          out.onCompleted();
        } else {
          out.onError(ApiProtos.status(f));
        }
      }
    }
    onEnd.run();
  }

  @Override
  public void onComplete() {
    synchronized (this) {
      if (done) {
        return;
      }
      done = true;
      if (!out.isCancelled()) {
        out.onCompleted();
      }
    }
    onEnd.run();
  }

  /** Requests items up to the window while the transport is ready. */
  void requestMore() {
    Flow.Subscription s;
    long n;
    synchronized (this) {
      s = subscription;
      if (s == null || done || !out.isReady() || outstanding >= WINDOW) {
        return;
      }
      n = WINDOW - outstanding;
      outstanding += n;
    }
    s.request(n);
  }

  void cancel(CancelReason reason) {
    Flow.Subscription s;
    synchronized (this) {
      if (!cancelRequested) {
        cancelRequested = true;
        cancelReason = reason;
      }
      s = subscription;
    }
    if (s != null) {
      // with the reason, so the generator learns why (shutdown, cancelled)
      stream.cancel(reason);
    }
  }

  private synchronized CancelReason cancelReasonOrCancelled() {
    return cancelReason != null ? cancelReason : CancelReason.CANCELLED;
  }

  /** Lets gRPC handlers, installed before the stream exists, reach the bridge. */
  static final class Holder {
    private volatile StreamBridge bridge;
    private volatile CancelReason cancelled;

    void bind(StreamBridge b) {
      bridge = b;
      CancelReason why = cancelled;
      if (why != null) {
        b.cancel(why);
      }
    }

    void onReady() {
      StreamBridge b = bridge;
      if (b != null) {
        b.requestMore();
      }
    }

    void cancel(CancelReason why) {
      cancelled = why;
      StreamBridge b = bridge;
      if (b != null) {
        b.cancel(why);
      }
    }
  }
}
