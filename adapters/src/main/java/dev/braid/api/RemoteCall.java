package dev.braid.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.internal.call.CallExecution;
import dev.braid.model.CancelReason;
import dev.braid.model.Scope;
import java.util.concurrent.CompletableFuture;

/**
 * The result of one call: a {@link CompletableFuture} of the JSON result. It completes
 * exceptionally with {@link dev.braid.model.RemoteException} (application error, bad input, worker
 * lost, limits), {@link dev.braid.model.BraidCancellationException} or {@link
 * dev.braid.model.DeadlineExceededException}; all three carry the failure record.
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
  private CallExecution execution;

  RemoteCall() {}

  void bind(CallExecution execution) {
    this.execution = execution;
  }

  /** The call's scope: its deadline and cancellation state. Child scopes may hang off it. */
  public Scope scope() {
    return execution.scope();
  }

  /**
   * Completes when the callee side is finished with the call: at once for normal outcomes, after
   * the callee's cleanup (or the grace period) for cancelled calls.
   */
  public CompletableFuture<Cleanup> cleanup() {
    return execution.cleanup();
  }

  /** The details of the latest heartbeat the function sent, or null. */
  public JsonNode lastHeartbeat() {
    return execution.lastHeartbeat();
  }

  /** Cancels with reason {@code cancelled}. Returns true if this cancel took effect. */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return execution.cancel(CancelReason.CANCELLED);
  }

  /** Cancels with the given reason (sticky: only the first reason counts). */
  public boolean cancel(CancelReason reason) {
    return execution.cancel(reason);
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    // dependents are plain futures: cancelling a dependent must not cancel this call
    return new CompletableFuture<>();
  }
}
