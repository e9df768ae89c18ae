package dev.braid.internal.worker;

import dev.braid.internal.hub.WorkerChannel;

/**
 * A reserved place for one call on one connected worker. The holder must call {@link #release()}
 * exactly once when the worker is done with the call (its outcome arrived), and need not when the
 * worker was lost.
 */
public interface WorkerSlot {
  String workerId();

  WorkerChannel connection();

  void release();

  /** The call did not settle within its grace period after a cancel. */
  void reportAbandoned();

  /** An abandoned call settled after all (its outcome finally arrived). */
  void abandonedSettled();
}
