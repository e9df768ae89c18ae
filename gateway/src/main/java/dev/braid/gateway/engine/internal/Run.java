package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.Braid;
import dev.braid.api.CallOptions;
import dev.braid.gateway.engine.JournalException;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.RunListener;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.gateway.workflow.WorkflowChecker;
import dev.braid.internal.policy.CircuitBreakers;
import dev.braid.model.CancelReason;
import dev.braid.model.Clock;
import dev.braid.model.Deadline;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Scope;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every step of one run shares: the workers, the run thread, the clock, the event listener.
 *
 * <p>All of the engine's bookkeeping for a run happens on {@link #loop}, one thread: completions of
 * calls and timers hop onto it, so the state of blocks and joins needs no locks, and expressions
 * read results that nothing writes concurrently.
 *
 * <p>Every use of the {@link RunJournal} goes through here, on the run thread: a {@link
 * JournalException} fails the run (its root is cancelled and the run ends with that failure), and
 * once the run is shutting down with its process nothing more is journaled, so that the shutdown's
 * cancellations are not mistaken for outcomes when the run resumes.
 */
final class Run {
  private static final Logger log = LoggerFactory.getLogger(Run.class);

  final Braid braid;
  final Workflow workflow;
  final Map<String, Set<String>> dependencies;
  final Executor loop;
  final Clock clock;
  final RunListener listener;
  final CircuitBreakers breakers;
  final Random random;
  final Supplier<Sandbox> sandbox;

  /** What the run remembers across a crash (docs/durability.md). */
  final RunJournal journal;

  /** Wall time, for what must hold across a restart: absolute deadlines and wake-ups. */
  final InstantSource wall;

  /** The run's root scope: a cancel of the whole run, for a shutdown or a journal failure. */
  final Scope root;

  /** The values of the workflow's secrets, by name: sent with every call of the run. */
  final Map<String, String> secrets;

  private final long startNanos;
  // run thread only; by identity: steps and workflows are records, which compare deeply
  private final Map<Step, Set<String>> subWorkflowDependencies = new IdentityHashMap<>();
  private final Set<Workflow> graphed = Collections.newSetFromMap(new IdentityHashMap<>());
  // run thread only
  private JournalException journalFailure;

  Run(
      Braid braid,
      Workflow workflow,
      Map<String, Set<String>> dependencies,
      Executor loop,
      Clock clock,
      RunListener listener,
      CircuitBreakers breakers,
      Random random,
      Supplier<Sandbox> sandbox,
      RunJournal journal,
      InstantSource wall,
      Scope root,
      Map<String, String> secrets) {
    this.secrets = Map.copyOf(secrets);
    this.braid = braid;
    this.workflow = workflow;
    this.dependencies = dependencies;
    this.loop = loop;
    this.clock = clock;
    this.listener = listener;
    this.breakers = breakers;
    this.random = random;
    this.sandbox = sandbox;
    this.journal = journal;
    this.wall = wall;
    this.root = root;
    this.startNanos = clock.nanoTime();
  }

  /**
   * The steps of its block that {@code s} waits for: from the run's workflow's graph, or from the
   * graph of the sub-workflow {@code s} belongs to ({@link #addSubWorkflow}). Run thread only.
   */
  Set<String> dependenciesOf(Step s) {
    Set<String> d = subWorkflowDependencies.get(s);
    return d != null ? d : dependencies.getOrDefault(s.id(), Set.of());
  }

  /**
   * Makes the dependency graph of {@code callee} known, once per callee: its step names are its
   * own, so its steps are told apart from the caller's by identity. Run thread only.
   */
  void addSubWorkflow(Workflow callee) {
    if (!graphed.add(callee)) {
      return;
    }
    Map<String, Set<String>> graph = WorkflowChecker.dependencies(callee);
    for (Step top : callee.steps().steps().values()) {
      Workflow.walk(top, s -> subWorkflowDependencies.put(s, graph.getOrDefault(s.id(), Set.of())));
    }
  }

  Deadline deadlineAfter(Duration timeout) {
    return Deadline.after(timeout, clock);
  }

  void emit(RunEvent.Type type, String step, String kind) {
    emit(type, step, kind, null, null, 0, null, null, null, null);
  }

  void emit(
      RunEvent.Type type,
      String step,
      String kind,
      String function,
      String language,
      int attempt,
      RunEvent.Status status,
      Failure failure,
      Duration wait,
      JsonNode value) {
    emit(type, step, kind, function, language, attempt, status, failure, wait, value, false, null);
  }

  /** The events of a step instance fed back from the journal: shown, not journaled again. */
  void emitReplayed(
      RunEvent.Type type, String step, String kind, RunEvent.Status status, Failure failure) {
    emit(type, step, kind, null, null, 0, status, failure, null, null, true, null);
  }

  /** {@code STEP_STARTED}, naming the loop item the step is in ({@code item}, may be null). */
  void stepStarted(
      String step,
      String kind,
      String function,
      String language,
      RunEvent.Item item,
      boolean replayed) {
    emit(
        RunEvent.Type.STEP_STARTED,
        step,
        kind,
        function,
        language,
        0,
        null,
        null,
        null,
        null,
        replayed,
        item);
  }

  private void emit(
      RunEvent.Type type,
      String step,
      String kind,
      String function,
      String language,
      int attempt,
      RunEvent.Status status,
      Failure failure,
      Duration wait,
      JsonNode value,
      boolean replayed,
      RunEvent.Item item) {
    show(
        record(
            type, step, kind, function, language, attempt, status, failure, wait, value, replayed,
            item));
  }

  /**
   * The run's outcome event, journaled but not yet shown: {@link RunStarter} shows it once the
   * journal has recorded the run's end, so that a watcher who sees the outcome finds the store
   * agreeing.
   */
  RunEvent recordOutcome(String step, RunEvent.Status status, Failure failure, JsonNode value) {
    return record(
        RunEvent.Type.RUN_FINISHED,
        step,
        null,
        null,
        null,
        0,
        status,
        failure,
        null,
        value,
        false,
        null);
  }

  /** Builds an event and journals it (unless replayed or not journaling). */
  private RunEvent record(
      RunEvent.Type type,
      String step,
      String kind,
      String function,
      String language,
      int attempt,
      RunEvent.Status status,
      Failure failure,
      Duration wait,
      JsonNode value,
      boolean replayed,
      RunEvent.Item item) {
    RunEvent e =
        new RunEvent(
            type,
            clock.nanoTime() - startNanos,
            step,
            kind,
            function,
            language,
            attempt,
            status,
            failure,
            wait,
            value,
            replayed,
            item);
    if (!replayed && journaling()) {
      try {
        journal.event(e);
      } catch (JournalException ex) {
        fail(ex);
      }
    }
    return e;
  }

  /** Hands {@code e} to the run's listener. */
  void show(RunEvent e) {
    try {
      listener.onEvent(e);
    } catch (RuntimeException ex) {
      // The listener runs inside the run's bookkeeping: an exception escaping here would stop a
      // step half-way and its future would never complete, hanging the run. A broken progress
      // view must not change the run's outcome.
      log.warn("run listener failed on {} of step {}", e.type(), e.step(), ex);
    }
  }

  // -- the journal ---------------------------------------------------------------------------

  /**
   * Whether what happens now is journaled: not after a journal failure, and not while the process
   * shuts the run down (it stays resumable: what the shutdown cancels must run again).
   */
  boolean journaling() {
    return journalFailure == null && root.reason() != CancelReason.SHUTDOWN;
  }

  /** The journal failure the run ends with, or null. */
  JournalException journalFailure() {
    return journalFailure;
  }

  /** Fails the run with {@code e}: the first journal failure wins; every step is cancelled. */
  void fail(JournalException e) {
    if (journalFailure == null) {
      journalFailure = e;
      log.warn("run {}: its journal failed, the run fails: {}", journal.runId(), e.getMessage());
      root.cancel(CancelReason.CANCELLED);
    }
  }

  /**
   * The outcome an earlier life recorded for {@code path}; empty when nothing was (or on failure).
   */
  Optional<StepOutcome> recorded(String path) {
    if (!journaling()) {
      return Optional.empty();
    }
    try {
      return journal.recorded(path);
    } catch (JournalException e) {
      fail(e);
      return Optional.empty();
    }
  }

  /** Records how the step instance at {@code path} settled (its own outcome, not a cancel). */
  void settled(String path, StepOutcome outcome) {
    if (!journaling()) {
      return;
    }
    try {
      journal.settled(path, outcome);
    } catch (JournalException e) {
      fail(e);
    }
  }

  /** The highest attempt an earlier life started for the call at {@code path}; 0 if none. */
  int lastAttempt(String path) {
    if (!journaling()) {
      return 0;
    }
    try {
      return journal.lastAttempt(path);
    } catch (JournalException e) {
      fail(e);
      return 0;
    }
  }

  /**
   * Write-ahead of attempt {@code attempt} of the call at {@code path}: completes, on any thread,
   * when the attempt may be sent. A journal failure fails the run and the future with it.
   */
  CompletableFuture<Void> attemptStarting(String path, int attempt) {
    if (!journaling()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f;
    try {
      f = journal.attemptStarting(path, attempt);
    } catch (JournalException e) {
      fail(e);
      return CompletableFuture.failedFuture(e);
    }
    if (f.isDone() && !f.isCompletedExceptionally()) {
      return f;
    }
    return f.whenCompleteAsync(
        (v, e) -> {
          if (e != null) {
            Throwable c = e instanceof CompletionException ? e.getCause() : e;
            fail(
                c instanceof JournalException je
                    ? je
                    : new JournalException(
                        FailureCode.UNAVAILABLE,
                        "the journal could not record attempt " + attempt + " of " + path,
                        c));
          }
        },
        loop);
  }

  /**
   * The absolute instant (epoch ms) kept under {@code key}: the one an earlier life recorded, else
   * {@code fresh}, now recorded. On a journal failure (the run fails) {@code fresh}.
   */
  long instant(String key, long fresh) {
    if (!journaling()) {
      return fresh;
    }
    try {
      return journal.instant(key, fresh);
    } catch (JournalException e) {
      fail(e);
      return fresh;
    }
  }

  /**
   * The idempotency key of the step instance at {@code path}: {@code runId/path}, bounded ({@link
   * CallOptions#idempotencyKey(String, String)}).
   */
  String idempotencyKey(String path) {
    return CallOptions.idempotencyKey(journal.runId(), path);
  }
}
