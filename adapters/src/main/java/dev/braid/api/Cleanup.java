package dev.braid.api;

/** How a call's callee side ended, as reported by {@link RemoteCall#cleanup()}. */
public enum Cleanup {
  /** The callee settled on its own, no cancel was needed. */
  NONE,
  /** The call was cancelled before it reached a worker, so nothing ran. */
  NOT_STARTED,
  /** The callee was cancelled and settled (ran its cleanup) within the grace period. */
  COMPLETED,
  /** The callee did not settle within the grace period (or abandon mode): it was abandoned. */
  ABANDONED,
  /** The worker running the callee was lost before the call settled. */
  WORKER_LOST
}
