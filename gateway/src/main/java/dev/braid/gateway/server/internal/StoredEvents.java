package dev.braid.gateway.server.internal;

import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.StoredEvent;
import dev.braid.gateway.store.StoredRun;
import dev.braid.proto.api.v1.RunEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The events of a run this server does not run, read from the store: a run that finished before the
 * server started (or left its memory), or one another gateway runs. New events of an unfinished run
 * are found by polling. Reads block on the store: call from a thread that may block.
 */
final class StoredEvents implements EventSource {
  private final RunStore store;
  private final String runId;
  private final ServerLimits limits;
  private final ScheduledExecutorService timer;
  private final Duration poll;

  StoredEvents(
      RunStore store,
      String runId,
      ServerLimits limits,
      ScheduledExecutorService timer,
      Duration poll) {
    this.store = store;
    this.runId = runId;
    this.limits = limits;
    this.timer = timer;
    this.poll = poll;
  }

  @Override
  public EventLog.Slice read(long from, int max) {
    // the status before the events: a run seen finished has every event stored already, so a read
    // that comes back short after it has reached the end
    Optional<StoredRun> run = store.get(runId);
    boolean finished = run.map(r -> r.status().isFinal()).orElse(true);
    List<RunEvent> events = convert(store.events(runId, from, max), runId, limits);
    long next = events.isEmpty() ? from : events.get(events.size() - 1).getSeq() + 1;
    return new EventLog.Slice(events, next, finished && events.size() < max);
  }

  @Override
  public Runnable subscribe(Runnable listener) {
    long ms = poll.toMillis();
    ScheduledFuture<?> f = timer.scheduleWithFixedDelay(listener, ms, ms, TimeUnit.MILLISECONDS);
    return () -> f.cancel(false);
  }

  /** Stored events as clients see them. */
  static List<RunEvent> convert(List<StoredEvent> stored, String runId, ServerLimits limits) {
    List<RunEvent> out = new ArrayList<>(stored.size());
    for (StoredEvent e : stored) {
      out.add(
          ApiProtos.event(RunRecord.withinMessageLimit(e.event(), limits), runId)
              .setSeq(e.seq())
              .build());
    }
    return out;
  }
}
