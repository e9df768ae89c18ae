package dev.braid.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.internal.call.CallExecution;
import dev.braid.model.CancelReason;
import dev.braid.model.Failures;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A streaming call to an (async) generator as a {@link Flow.Publisher} of JSON items, with
 * backpressure: the worker advances the generator only as far as {@link Flow.Subscription#request}
 * allowed. Single subscriber; the call starts at the first request. {@code cancel()} on the
 * subscription cancels the remote generator with reason {@code cancelled}.
 *
 * <p>Signals arrive on a Braid I/O thread, serialized; the subscriber must not block.
 */
public final class RemoteStream implements Flow.Publisher<JsonNode> {
  private final Function<RemoteStream, CallExecution> starter;
  private final CompletableFuture<JsonNode> done = new CompletableFuture<>();
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private volatile Flow.Subscriber<? super JsonNode> subscriber;
  private volatile CallExecution execution;

  RemoteStream(Function<RemoteStream, CallExecution> starter) {
    this.starter = starter;
  }

  CompletableFuture<JsonNode> done() {
    return done;
  }

  void emit(JsonNode item) {
    subscriber.onNext(item);
  }

  /**
   * Cancels the generator's call with {@code reason} (the first reason wins), so the function
   * learns why ({@code shutdown}, {@code race_lost}...); a subscriber's {@code cancel()} says
   * {@code cancelled}. The subscriber then gets {@code onError} with the cancellation.
   */
  public void cancel(CancelReason reason) {
    CallExecution ex = execution;
    if (ex != null) {
      ex.cancel(reason);
    } else {
      done.cancel(false);
    }
  }

  /** Completes when the stream ended: normally, failed or cancelled. */
  public CompletableFuture<Void> completion() {
    return done.thenApply(v -> null);
  }

  @Override
  public void subscribe(Flow.Subscriber<? super JsonNode> s) {
    if (!subscribed.compareAndSet(false, true)) {
      s.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
          });
      s.onError(new IllegalStateException("a RemoteStream accepts only one subscriber"));
      return;
    }
    subscriber = s;
    done.whenComplete(
        (v, e) -> {
          if (e == null) {
            s.onComplete();
          } else {
            s.onError(Failures.unwrap(e));
          }
        });
    s.onSubscribe(
        new Flow.Subscription() {
          private final AtomicBoolean started = new AtomicBoolean();

          @Override
          public void request(long n) {
            if (n <= 0) {
              done.completeExceptionally(
                  new IllegalArgumentException(
                      "request(" + n + "): n must be positive (Reactive Streams rule 3.9)"));
              return;
            }
            if (started.compareAndSet(false, true)) {
              CallExecution ex = starter.apply(RemoteStream.this);
              execution = ex;
              ex.request(n);
              ex.start();
            } else {
              execution.request(n);
            }
          }

          @Override
          public void cancel() {
            CallExecution ex = execution;
            if (ex != null) {
              ex.cancel(CancelReason.CANCELLED);
            } else {
              done.cancel(false);
            }
          }
        });
  }
}
