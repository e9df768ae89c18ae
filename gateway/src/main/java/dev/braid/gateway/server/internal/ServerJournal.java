package dev.braid.gateway.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.JournalException;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.model.FailureCode;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The journal a served durable run writes through: the store's journal, with two additions.
 *
 * <ul>
 *   <li>Every event the store is given is also appended to the run's {@link RunRecord}, in the same
 *       order: the record's live log and the stored events therefore share their sequence numbers,
 *       so a client that read some events live and the rest from the store sees no gap and no
 *       duplicate. (Events the engine gives only to its listener, such as those of replayed steps,
 *       are not stored and not shown live: they are in the store from the run's earlier life.)
 *   <li>{@link #detach()}: the server stops running the run without ending it (shutdown). From then
 *       on nothing more is written — no outcome, no step, no event — so the run stays unfinished in
 *       the store and the next server resumes it; a call attempt that would start now is refused,
 *       so no side effect happens that the journal does not know of.
 * </ul>
 *
 * <p>Called on the run's thread, like any journal; {@link #detach()} from any thread.
 */
final class ServerJournal implements RunJournal {
  private final RunJournal store;
  private final RunRecord record;
  private volatile boolean detached;

  ServerJournal(RunJournal store, RunRecord record) {
    this.store = store;
    this.record = record;
  }

  /** Stops every later write (see the class comment). Idempotent. */
  void detach() {
    detached = true;
  }

  boolean detached() {
    return detached;
  }

  @Override
  public String runId() {
    return store.runId();
  }

  @Override
  public Optional<StepOutcome> recorded(String path) {
    return store.recorded(path);
  }

  @Override
  public int lastAttempt(String path) {
    return store.lastAttempt(path);
  }

  @Override
  public CompletableFuture<Void> attemptStarting(String path, int attempt) {
    if (detached) {
      return CompletableFuture.failedFuture(
          new JournalException(
              FailureCode.UNAVAILABLE,
              "the server is shutting down: the run is left to resume, no new attempt starts"));
    }
    return store.attemptStarting(path, attempt);
  }

  @Override
  public void settled(String path, StepOutcome outcome) {
    if (!detached) {
      store.settled(path, outcome);
    }
  }

  @Override
  public long instant(String key, long fresh) {
    return detached ? fresh : store.instant(key, fresh);
  }

  @Override
  public CompletableFuture<JsonNode> nextSignal(String name, String path) {
    return store.nextSignal(name, path);
  }

  /** The run's outcome event, held back until the store has recorded the run's end. */
  private volatile RunEvent outcome;

  @Override
  public void event(RunEvent event) {
    if (detached) {
      return;
    }
    // the store first: an event it refuses (a budget) is not shown either
    store.event(event);
    if (event.type() == RunEvent.Type.RUN_FINISHED) {
      // shown by finished(), once the end is committed: a watcher who sees the outcome then finds
      // the store agreeing (GetRun on another gateway, a direct read of the database)
      outcome = event;
      return;
    }
    record.append(event);
  }

  @Override
  public CompletableFuture<Void> finished(StepOutcome end, boolean cancelled) {
    if (detached) {
      return CompletableFuture.completedFuture(null);
    }
    return store
        .finished(end, cancelled)
        .whenComplete(
            (ok, error) -> {
              RunEvent shown = outcome;
              if (shown != null) {
                record.append(shown);
              }
            });
  }
}
