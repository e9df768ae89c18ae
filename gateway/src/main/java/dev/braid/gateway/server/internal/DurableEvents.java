package dev.braid.gateway.server.internal;

import dev.braid.gateway.store.RunStore;
import dev.braid.proto.api.v1.RunEvent;
import java.util.List;

/**
 * The events of a durable run this server runs: the live ones from its {@link EventLog}, and those
 * older than the log's window (or from the run's earlier life, before a restart) from the store.
 * Both are numbered alike ({@link ServerJournal}), so a reader moves from one to the other with no
 * gap and no duplicate. Reads of old events block on the store.
 */
final class DurableEvents implements EventSource {
  private final EventLog log;
  private final RunStore store;
  private final String runId;
  private final ServerLimits limits;

  DurableEvents(EventLog log, RunStore store, String runId, ServerLimits limits) {
    this.log = log;
    this.store = store;
    this.runId = runId;
    this.limits = limits;
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
      // not committed yet (a write batch in flight) although the log has moved on: rare; the
      // reader skips to the log, and the gap in the numbers shows it
      return log.read(oldest, max);
    }
    // more follows in the log: never the end
    return new EventLog.Slice(old, old.get(old.size() - 1).getSeq() + 1, false);
  }

  @Override
  public Runnable subscribe(Runnable listener) {
    return log.subscribe(listener);
  }
}
