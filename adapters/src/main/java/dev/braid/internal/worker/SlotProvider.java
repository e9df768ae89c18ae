package dev.braid.internal.worker;

/** Hands out slots on workers of one language: a {@link WorkerPool}, or the in-process host. */
public interface SlotProvider {
  /** Reserves a slot for {@code client}, now or when one frees up. Callbacks run outside locks. */
  void acquire(PoolClient client);

  /** Withdraws a queued client. Returns false if it was not queued (already dispatched). */
  boolean withdraw(PoolClient client);
}
