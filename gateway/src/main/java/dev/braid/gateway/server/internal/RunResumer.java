package dev.braid.gateway.server.internal;

import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunListener;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.gateway.engine.WorkflowEngine;
import dev.braid.gateway.store.RunStatus;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.StoreException;
import dev.braid.gateway.store.StoredRun;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.model.CancelReason;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumes, when the server starts, every unfinished run of its store: claims it (fencing off any
 * earlier owner), checks its saved definition as a new run would be checked — the functions must
 * still exist and be exposed — and replays it with the store's journal (docs/durability.md).
 *
 * <p>A run that can no longer be checked (its functions are gone or not exposed, its text no longer
 * valid) is failed in the store with the reason, so it is not tried on every start; one that cannot
 * be resumed for a passing reason (the store, a worker not up) stays unfinished for the next start.
 * Resumed runs take no run slot: they were admitted when they started.
 */
final class RunResumer {
  private static final Logger log = LoggerFactory.getLogger("braid.server");

  /** The most runs resumed on one start; the rest wait for the next. */
  static final int MAX_RESUMED = 10_000;

  private final WorkflowEngine engine;
  private final WorkflowResolver resolver;
  private final RunRegistry registry;
  private final Durability durability;
  private final Executor executor;

  RunResumer(
      WorkflowEngine engine,
      WorkflowResolver resolver,
      RunRegistry registry,
      Durability durability,
      Executor executor) {
    this.engine = engine;
    this.resolver = resolver;
    this.registry = registry;
    this.durability = durability;
    this.executor = executor;
  }

  /**
   * Resumes the store's unfinished runs created before {@code before} on {@code executor}, oldest
   * first; the future completes when each has been started again or given up on.
   */
  CompletableFuture<Void> resumeAll(Instant before) {
    RunStore store = durability.store();
    List<StoredRun> runs;
    try {
      // a run created since is one this server started itself and runs already: claiming it would
      // fence off its own journal
      runs =
          new ArrayList<>(
              store.list(RunStatus.RUNNING, MAX_RESUMED).stream()
                  .filter(r -> r.created() == null || r.created().isBefore(before))
                  .toList());
    } catch (StoreException e) {
      log.warn("cannot list the runs to resume: {}", e.getMessage());
      return CompletableFuture.completedFuture(null);
    }
    if (runs.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    log.info("resuming {} unfinished runs of the store", runs.size());
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = runs.size() - 1; i >= 0; i--) {
      StoredRun r = runs.get(i);
      all.add(CompletableFuture.runAsync(() -> resumeLogged(r), executor));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  private void resumeLogged(StoredRun s) {
    try {
      resume(s);
    } catch (RuntimeException e) {
      log.warn("run {} could not be resumed: {}", s.runId(), e.toString());
    }
  }

  /**
   * Resumes one run this gateway has just been given by the store (a run released by a gateway that
   * left or was fenced), on the calling thread.
   *
   * @return false if it could not be resumed for a passing reason (the store, a worker not up): the
   *     caller hands it back for a later try
   */
  boolean resumeClaimed(String runId) {
    StoredRun s;
    try {
      s = durability.store().get(runId).orElse(null);
    } catch (StoreException e) {
      log.warn("run {} not resumed now: {}", runId, e.getMessage());
      return false;
    }
    if (s == null || s.status().isFinal()) {
      return true;
    }
    try {
      return resume(s);
    } catch (RuntimeException e) {
      log.warn("run {} could not be resumed: {}", runId, e.toString());
      return false;
    }
  }

  private boolean resume(StoredRun s) {
    RunRecord known = registry.get(s.runId());
    if (known != null && !known.isFinished()) {
      return true; // started by this server after the listing
    }
    if (known != null) {
      // a life of the run this gateway ran before it lost its lease: the store is the truth now
      registry.remove(known);
    }
    // registered before the claim: a CancelRun from now on finds the run here and is applied when
    // it starts (a cancel requested before the claim comes with the claimed run)
    RunRecord rec = registry.create(s.runId(), s.workflow());
    RunStore.Claimed claimed;
    try {
      claimed = durability.store().claim(s.runId());
    } catch (StoreException e) {
      registry.remove(rec);
      log.warn("run {} not resumed: {}", s.runId(), e.getMessage());
      return false;
    }
    StoredRun run = claimed.run();
    rec.log().startAt(durability.eventCount(run.runId()));
    ServerJournal journal = durability.journal(rec, claimed.journal());
    WorkflowResolver.Resolved resolved;
    try {
      resolved = resolver.resolveStored(run.workflow(), claimed.definition(), run.input());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNAVAILABLE
          || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
        journal.detach();
        registry.remove(rec);
        log.warn(
            "run {} not resumed now (it stays for the next start): {}",
            run.runId(),
            e.getStatus().getDescription());
        return false;
      }
      refuse(rec, journal, e.getStatus().getDescription());
      return true;
    }
    Workflow wf = WorkflowRuns.withDeadline(resolved.workflow(), timeout(run));
    WorkflowEngine.WorkflowRun started = engine.start(wf, run.input(), RunListener.NONE, journal);
    rec.attach(started, journal);
    durability.started(rec, journal, started);
    if (run.cancelRequested()) {
      rec.cancel(CancelReason.CANCELLED);
    }
    log.info(
        "resumed run {} of {} (from event {})", run.runId(), run.workflow(), rec.log().nextSeq());
    started
        .result()
        .whenComplete(
            (v, e) -> {
              rec.endLog(v, e);
              rec.finish(v, e);
              registry.finished(rec);
            });
    return true;
  }

  /**
   * The run's timeout as it started (a request's timeout is not in the saved text), or null. The
   * engine keeps the absolute deadline in the journal and holds the resumed run to it; this only
   * tells it the run has one.
   */
  private static Duration timeout(StoredRun run) {
    if (run.deadline() == null || run.created() == null) {
      return null;
    }
    Duration d = Duration.between(run.created(), run.deadline());
    return d.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : d;
  }

  /** Fails a run that cannot be resumed, in the store too, with the reason. */
  private void refuse(RunRecord rec, ServerJournal journal, String why) {
    Failure f =
        Failure.of(
            FailureCode.INVALID_ARGUMENT,
            "ResumeRefused",
            "the run cannot be resumed on this server: " + why);
    log.warn("run {} failed: {}", rec.id(), f.message());
    journal.event(
        new RunEvent(
            RunEvent.Type.RUN_FINISHED,
            0,
            null,
            null,
            null,
            null,
            0,
            RunEvent.Status.FAILED,
            f,
            null,
            null));
    journal.finished(StepOutcome.failed(f), false).join();
    rec.finish(null, new dev.braid.gateway.engine.StepFailedException(f, null, null));
    registry.finished(rec);
  }
}
