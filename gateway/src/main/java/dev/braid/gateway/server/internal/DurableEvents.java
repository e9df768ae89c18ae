package dev.braid.gateway.server.internal;

import dev.braid.gateway.store.RunStore;
import dev.braid.proto.api.v1.RunEvent;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The events of a durable run this server runs: the live ones from its {@link EventLog}, and those
 * older than the log's window (or from the run's earlier life, before a restart) from the store.
 * Both are numbered alike ({@link ServerJournal}), so a reader moves from one to the other with no
 * gap and no duplicate. Reads of old events block on the store.
 *
 * <p>The store's group commit trails the live log by a few milliseconds: events that left a small
 * window may not be readable from the store yet. The reader then waits for them (re-reading every
 * {@link #RETRY_MS} ms), and only after {@link #MAX_LAG_MS} — a store that lost them or is stuck —
 * skips to the log, leaving a gap in the numbers. One instance per reader (it keeps that reader's
 * wait), read by one thread at a time.
 */
final class DurableEvents implements EventSource {
  static final long RETRY_MS = 20;
  static final long MAX_LAG_MS = 5_000;

  private final EventLog log;
  private final RunStore store;
  private final String runId;
  private final ServerLimits limits;
  private final ScheduledExecutorService timer;
  private volatile Runnable listener;
  // when the reader started waiting for the store, or -1
  private volatile long lagSince = -1;

  DurableEvents(
      EventLog log,
      RunStore store,
      String runId,
      ServerLimits limits,
      ScheduledExecutorService timer) {
    this.log = log;
    this.store = store;
    this.runId = runId;
    this.limits = limits;
    this.timer = timer;
  }

  @Override
  public EventLog.Slice read(long from, int max) {
    long oldest = log.oldestSeq();
    if (from >= oldest) {
      return log.read(from, max);
    }
    int n = (int) Math.min(max, oldest - from);
    List<RunEvent> old = StoredEvents.convert(store.events(runId, from, n), runId, limits);
    if (old.isEmpty()) {
      // not committed yet (a write batch in flight) although the log has moved on
      long now = System.nanoTime();
      long since = lagSince;
      if (since < 0) {
        lagSince = since = now;
      }
      Runnable l = listener;
      if (l != null && now - since < TimeUnit.MILLISECONDS.toNanos(MAX_LAG_MS)) {
        try {
          timer.schedule(l, RETRY_MS, TimeUnit.MILLISECONDS);
          return new EventLog.Slice(List.of(), from, false);
        } catch (RejectedExecutionException e) {
          // the server is stopping: skip below
        }
      }
      lagSince = -1;
      return log.read(oldest, max);
    }
    lagSince = -1;
    // more follows in the log: never the end
    return new EventLog.Slice(old, old.get(old.size() - 1).getSeq() + 1, false);
  }

  @Override
  public Runnable subscribe(Runnable listener) {
    this.listener = listener;
    Runnable unsubscribe = log.subscribe(listener);
    return () -> {
      this.listener = null;
      unsubscribe.run();
    };
  }
}
