package dev.braid.gateway.server.internal;

/**
 * Where an {@link EventStreamer} reads a run's events: the in-memory {@link EventLog} of a run this
 * server runs, the store for a run it does not ({@link StoredEvents}), or both ({@link
 * DurableEvents}). Thread-safe.
 */
public interface EventSource {
  /** Up to {@code max} events with {@code seq >= from}, in order, and whether the run ended. */
  EventLog.Slice read(long from, int max);

  /**
   * Runs {@code listener} whenever new events may be readable (it must only schedule work); returns
   * the handle that stops it.
   */
  Runnable subscribe(Runnable listener);
}
