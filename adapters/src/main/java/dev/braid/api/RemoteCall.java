package dev.braid.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.internal.call.CallHandle;
import dev.braid.model.CancelReason;
import dev.braid.model.Scope;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The result of one call: a {@link CompletableFuture} of the JSON result that only Braid completes.
 * It completes exceptionally with {@link dev.braid.model.RemoteException} (application error, bad
 * input, worker lost, limits), {@link dev.braid.model.BraidCancellationException} or {@link
 * dev.braid.model.DeadlineExceededException}; all three carry the failure record.
 *
 * <p>Read-only: {@code complete}, {@code completeExceptionally}, {@code completeAsync} and the
 * {@code obtrude...} methods throw {@link UnsupportedOperationException}, so outside code cannot
 * fake a call's outcome; stop a call with {@link #cancel(CancelReason)}. {@link #orTimeout} and
 * {@link #completeOnTimeout} return a timed copy rather than completing this call (the call itself
 * goes on; give it a {@code timeout} in {@link CallOptions} to bound it).
 *
 * <p>{@link #cancel(boolean)} cancels the call's scope with reason {@code cancelled}, which sends
 * the remote cancel. In {@link CancellationMode#WAIT} mode the future completes only once the
 * callee settled or its grace period ran out, so it may not be done yet when {@code cancel}
 * returns.
 *
 * <p>Dependent stages added with non-async methods run on the thread that completes the future, a
 * Braid I/O thread: they must not block. Use the {@code ...Async} variants for blocking work.
 */
public final class RemoteCall extends CompletableFuture<JsonNode> {
  private static final String READ_ONLY =
      "a RemoteCall is completed by Braid only: cancel it, or complete a copy()";

  // what the call machinery settles; this future mirrors it synchronously, on the same thread
  private final CompletableFuture<JsonNode> outcome = new CompletableFuture<>();
  private CallHandle handle;

  RemoteCall() {
    outcome.whenComplete(
        (v, e) -> {
          if (e == null) {
            super.complete(v);
          } else {
            super.completeExceptionally(e);
          }
        });
  }

  /** The future the call machinery settles. */
  CompletableFuture<JsonNode> outcome() {
    return outcome;
  }

  void bind(CallHandle handle) {
    this.handle = handle;
  }

  /** The call's scope: its deadline and cancellation state. Child scopes may hang off it. */
  public Scope scope() {
    return handle.scope();
  }

  /**
   * Completes when the callee side is finished with the call: at once for normal outcomes, after
   * the callee's cleanup (or the grace period) for cancelled calls. For a retried call, that of the
   * latest attempt.
   */
  public CompletableFuture<Cleanup> cleanup() {
    return handle.cleanup();
  }

  /** The details of the latest heartbeat the function sent, or null. */
  public JsonNode lastHeartbeat() {
    return handle.lastHeartbeat();
  }

  /** Cancels with reason {@code cancelled}. Returns true if this cancel took effect. */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return handle.cancel(CancelReason.CANCELLED);
  }

  /** Cancels with the given reason (sticky: only the first reason counts). */
  public boolean cancel(CancelReason reason) {
    return handle.cancel(reason);
  }

  /** Not supported: only Braid completes a call. */
  @Override
  public boolean complete(JsonNode value) {
    throw new UnsupportedOperationException(READ_ONLY);
  }

  /** Not supported: only Braid completes a call. */
  @Override
  public boolean completeExceptionally(Throwable ex) {
    throw new UnsupportedOperationException(READ_ONLY);
  }

  /** Not supported: only Braid completes a call. */
  @Override
  public void obtrudeValue(JsonNode value) {
    throw new UnsupportedOperationException(READ_ONLY);
  }

  /** Not supported: only Braid completes a call. */
  @Override
  public void obtrudeException(Throwable ex) {
    throw new UnsupportedOperationException(READ_ONLY);
  }

  /** Not supported: only Braid completes a call. */
  @Override
  public CompletableFuture<JsonNode> completeAsync(
      Supplier<? extends JsonNode> supplier, Executor executor) {
    throw new UnsupportedOperationException(READ_ONLY);
  }

  /** Not supported: only Braid completes a call. */
  @Override
  public CompletableFuture<JsonNode> completeAsync(Supplier<? extends JsonNode> supplier) {
    throw new UnsupportedOperationException(READ_ONLY);
  }

  /** A copy that fails with {@code TimeoutException} after the wait; this call goes on. */
  @Override
  public CompletableFuture<JsonNode> orTimeout(long timeout, TimeUnit unit) {
    return copy().orTimeout(timeout, unit);
  }

  /** A copy that completes with {@code value} after the wait; this call goes on. */
  @Override
  public CompletableFuture<JsonNode> completeOnTimeout(
      JsonNode value, long timeout, TimeUnit unit) {
    return copy().completeOnTimeout(value, timeout, unit);
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    // dependents are plain futures: cancelling a dependent must not cancel this call
    return new CompletableFuture<>();
  }
}
