package dev.braid.internal.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.CallOptions;
import dev.braid.api.Cleanup;
import dev.braid.internal.call.CallExecution;
import dev.braid.internal.call.CallHandle;
import dev.braid.internal.call.CallRuntime;
import dev.braid.model.CancelReason;
import dev.braid.model.Deadline;
import dev.braid.model.Scope;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * A Java-API call with a retry policy or a circuit breaker: one scope for the whole call (its
 * {@code totalTimeout}), and under it one {@link CallExecution} per attempt, each with the attempt
 * {@code timeout} and its attempt number on the wire. Thread-safe.
 */
public final class RetriedCall implements CallHandle {
  // java.util.Random is thread-safe; jitter needs no better randomness
  private static final Random JITTER = new Random();

  private final CallRuntime runtime;
  private final String function;
  private final byte[] args;
  private final byte[] kwargs;
  private final CallOptions options;
  private final CircuitBreakers.Breaker breaker;
  private final CompletableFuture<JsonNode> result;
  private final Scope scope;
  private volatile CallExecution current;

  /**
   * @param breakers where the function's breaker lives, used when {@code options} has one
   * @param result settled with the last attempt's outcome
   */
  public RetriedCall(
      CallRuntime runtime,
      String function,
      byte[] args,
      byte[] kwargs,
      CallOptions options,
      CircuitBreakers breakers,
      CompletableFuture<JsonNode> result) {
    this.runtime = runtime;
    this.function = function;
    this.args = args;
    this.kwargs = kwargs;
    this.options = options;
    this.breaker =
        options.circuitBreaker() == null
            ? null
            : breakers.forFunction(runtime.language() + ":" + function, options.circuitBreaker());
    this.result = result;
    Deadline total =
        options.totalTimeout() == null
            ? null
            : Deadline.after(options.totalTimeout(), runtime.clock());
    this.scope = options.parent() == null ? Scope.root(total) : options.parent().child(total);
  }

  /** Starts attempt 1. Call once. */
  public void start() {
    CallOptions each =
        options.toBuilder()
            .parent(scope)
            .totalTimeout(null)
            .retry(null)
            .circuitBreaker(null)
            .build();
    // An attempt learns the reason at the root (cancelled, race_lost...), not parent_cancelled.
    Runnable unhook =
        scope.onCancel(
            r -> {
              CallExecution c = current;
              if (c != null) {
                CancelReason root = scope.rootReason();
                c.cancel(root != null ? root : r);
              }
            });
    new Retrier<JsonNode>(
            options.retry(),
            breaker,
            scope,
            runtime.clock(),
            JITTER,
            Runnable::run,
            Retrier.Listener.NONE,
            n -> {
              CompletableFuture<JsonNode> f = new CompletableFuture<>();
              CallExecution ex =
                  new CallExecution(runtime, function, args, kwargs, each, null, f).attempt(n);
              current = ex;
              ex.start();
              return f;
            })
        .start()
        .whenComplete(
            (v, e) -> {
              unhook.run();
              scope.close();
              if (e == null) {
                result.complete(v);
              } else {
                result.completeExceptionally(e);
              }
            });
  }

  @Override
  public Scope scope() {
    return scope;
  }

  /** The latest attempt's cleanup ({@code NOT_STARTED} when none was sent). */
  @Override
  public CompletableFuture<Cleanup> cleanup() {
    CallExecution c = current;
    return c != null ? c.cleanup() : CompletableFuture.completedFuture(Cleanup.NOT_STARTED);
  }

  @Override
  public JsonNode lastHeartbeat() {
    CallExecution c = current;
    return c != null ? c.lastHeartbeat() : null;
  }

  @Override
  public boolean cancel(CancelReason reason) {
    return scope.cancel(reason);
  }
}
