package dev.braid.internal.worker;

/**
 * A source of worker slots for a {@link SlotQueue}: whatever owns the workers of one language and
 * keeps them coming. Placement and supervision meet only here. The source adds a worker to the
 * queue with {@link SlotQueue#open} once it can take calls, takes it out with {@link
 * SlotQueue#retire} when it must get no more, and fails the waiting calls with {@link
 * SlotQueue#rejectWaiting} when no worker can be had; the queue tells it when calls wait with
 * {@link #demand()}.
 *
 * <p>Today's one source is the {@link Supervisor} of local worker processes. A pool of remote
 * workers (workers that dial in from other machines) is meant to be a second implementation: it
 * feeds lanes of its connections into the same queue, so routing, queueing and overload behave the
 * same wherever the workers run.
 */
public interface SlotSource {
  /** The language of the workers, for messages: {@code python}, {@code node}, {@code java}. */
  String language();

  /**
   * A call waits and no lane has a free slot: add capacity if the source may (start a worker, ask a
   * remote pool). Called on the acquiring thread, outside the queue's lock, once per queued call;
   * must be cheap and must not block.
   */
  void demand();
}
