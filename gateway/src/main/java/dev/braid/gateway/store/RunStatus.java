package dev.braid.gateway.store;

/** Where a stored run stands. Only {@link #RUNNING} runs are resumed. */
public enum RunStatus {
  /** Started and not finished: running here, or left by a gateway that died (resumable). */
  RUNNING,
  SUCCEEDED,
  FAILED,
  /** Cancelled by a user or a shutdown: final, never resumed. */
  CANCELLED;

  public boolean isFinal() {
    return this != RUNNING;
  }
}
