package dev.braid.internal.worker;

import dev.braid.model.Failure;

/** A call asking a {@link WorkerPool} for a slot. Callbacks must not block. */
public interface PoolClient {
  /** A slot is reserved for this call; it now owns the slot. */
  void dispatch(WorkerSlot slot);

  /** No slot will come: the pool is closed, full, or its workers cannot start. */
  void reject(Failure failure);
}
