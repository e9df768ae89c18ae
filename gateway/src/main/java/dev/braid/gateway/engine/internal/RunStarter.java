package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.api.Braid;
import dev.braid.gateway.engine.JournalException;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.RunListener;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.workflow.InputField;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.internal.policy.CircuitBreakers;
import dev.braid.model.CancelReason;
import dev.braid.model.Clock;
import dev.braid.model.Deadline;
import dev.braid.model.Durations;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Scope;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one run: its thread, input defaults, deadline and result. The run-level timeout is an
 * absolute instant kept in the journal ({@code deadline:run}), enforced by the deadline of a scope
 * under {@code root}; closing the root at the end clears it.
 *
 * <p>The run's end is journaled ({@link RunJournal#finished}) before its result future completes,
 * so that a client that saw the result can trust it is durable, except when the run was stopped by
 * its process shutting down ({@link CancelReason#SHUTDOWN}): that run stays resumable.
 */
public final class RunStarter {
  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final Logger log = LoggerFactory.getLogger(RunStarter.class);

  private RunStarter() {}

  /**
   * Starts the run and returns its result future; {@code root} is its root scope (cancel it to
   * cancel the run; {@code shutdown} leaves it resumable). The future fails with a {@link
   * StepFailedException}.
   *
   * @param timeout the workflow's run timeout, or null
   * @param secrets the values of the workflow's secrets, by name: {@code ${{ secrets.NAME }}} and
   *     every call's context
   */
  public static CompletableFuture<JsonNode> start(
      Braid braid,
      Workflow wf,
      Map<String, Set<String>> dependencies,
      JsonNode input,
      Scope root,
      Duration timeout,
      Clock clock,
      RunListener listener,
      CircuitBreakers breakers,
      Random random,
      Supplier<Sandbox> sandbox,
      RunJournal journal,
      InstantSource wall,
      Map<String, String> secrets) {
    int n = RUNS.incrementAndGet();
    ExecutorService loop =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "braid-run-" + n);
              t.setDaemon(true);
              return t;
            });
    Run run =
        new Run(
            braid,
            wf,
            dependencies,
            loop,
            clock,
            listener,
            breakers,
            random,
            sandbox,
            journal,
            wall,
            root,
            secrets);
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    loop.execute(
        () -> {
          run.emit(RunEvent.Type.RUN_STARTED, null, null);
          Scope runScope;
          CompletableFuture<JsonNode> body;
          if (timeout == null) {
            runScope = root.child();
          } else {
            long now = wall.millis();
            long fresh = now + timeout.toMillis();
            long at = run.instant("deadline:run", fresh);
            runScope =
                root.child(
                    Deadline.after(
                        at == fresh ? timeout : Duration.ofMillis(Math.max(0, at - now)), clock));
            if (at != fresh && at <= now) {
              // already expired: its scope's deadline (made 0 ms away) fires now, as its timer
              // would; the run fails before any step, saying why it had no time left
              runScope.expireIfDue();
              StepFailedException late =
                  new StepFailedException(
                      Failure.cancelled(
                          CancelReason.DEADLINE_EXCEEDED,
                          "the run's deadline ("
                              + Instant.ofEpochMilli(at)
                              + ", timeout "
                              + Durations.format(timeout)
                              + ") passed while the run was not running"),
                      null,
                      wf.timeout().map(t -> t.at()).orElse(null));
              end(run, wf, root, runScope, result, null, late, late);
              return;
            }
          }
          ObjectNode secretValues = JsonNodeFactory.instance.objectNode();
          secrets.forEach(secretValues::put);
          // secrets is a reserved name (no loop variable may take it): a plain binding
          Env env =
              new Env(
                  withDefaults(wf, input),
                  JsonNodeFactory.instance.objectNode(),
                  Map.of("secrets", secretValues),
                  "");
          Steps steps = new Steps(run);
          body = new BlockRun(steps, wf.steps(), wf.output(), runScope.child(), env).start();
          body.whenCompleteAsync((v, e) -> end(run, wf, root, runScope, result, v, e, null), loop);
        });
    return result;
  }

  /** The run's end: its last event, its record in the journal, then its result. */
  private static void end(
      Run run,
      Workflow wf,
      Scope root,
      Scope runScope,
      CompletableFuture<JsonNode> result,
      JsonNode value,
      Throwable error,
      StepFailedException preset) {
    boolean shutdown = root.reason() == CancelReason.SHUTDOWN;
    StepFailedException f =
        preset != null
            ? preset
            : error == null && !runScope.isCancelled()
                ? null
                : runFailure(wf, run, root, runScope, error);
    RunEvent outcome =
        f == null
            ? run.recordOutcome(null, Status.OK, null, value)
            : run.recordOutcome(
                f.step(), f.isCancellation() ? Status.CANCELLED : Status.FAILED, f.failure(), null);
    CompletableFuture<Void> durable;
    if (shutdown) {
      // stopped by its process, not by anyone's choice: nothing final is recorded, the run
      // resumes in the next life of the gateway
      durable = CompletableFuture.completedFuture(null);
    } else {
      // a cancel of the whole run (Ctrl-C, CancelRun) is final; a journal failure is a failure
      boolean cancelled =
          f != null && root.isCancelled() && run.journalFailure() == null && f.isCancellation();
      durable =
          finished(
              run, f == null ? StepOutcome.ok(value) : StepOutcome.failed(f.failure()), cancelled);
    }
    durable.whenCompleteAsync(
        (ok, journalError) -> {
          // shown only now: whoever sees the outcome (a WatchRun client) finds it in the store
          run.show(outcome);
          if (f == null && journalError == null) {
            result.complete(value);
          } else if (f == null) {
            result.completeExceptionally(journalFailure(journalError));
          } else {
            result.completeExceptionally(f);
          }
          root.close();
          ((ExecutorService) run.loop).shutdown();
        },
        run.loop);
  }

  /** Journals the run's end; a journal failure fails the future (never thrown). */
  private static CompletableFuture<Void> finished(Run run, StepOutcome outcome, boolean cancelled) {
    try {
      return run.journal.finished(outcome, cancelled);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The run's failure when its end could not be journaled. */
  private static StepFailedException journalFailure(Throwable e) {
    Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    FailureCode code = c instanceof JournalException je ? je.code() : FailureCode.UNAVAILABLE;
    log.warn("a run's end could not be journaled", c);
    return new StepFailedException(
        Failure.of(code, "JournalFailed", "the run's end could not be recorded: " + c.getMessage()),
        null,
        null);
  }

  /**
   * The run's failure: a journal failure, a cancel or timeout of the whole run, else the first step
   * failure.
   */
  private static StepFailedException runFailure(
      Workflow wf, Run run, Scope root, Scope runScope, Throwable e) {
    JournalException je = run.journalFailure();
    if (je != null) {
      return new StepFailedException(
          Failure.of(je.code(), "JournalFailed", "the run's journal failed: " + je.getMessage()),
          null,
          null);
    }
    if (runScope.expiredBy() == runScope || root.reason() == CancelReason.DEADLINE_EXCEEDED) {
      String limit = wf.timeout().map(t -> " " + Durations.format(t.value())).orElse("");
      return new StepFailedException(
          Failure.cancelled(
              CancelReason.DEADLINE_EXCEEDED, "the run's timeout" + limit + " expired"),
          null,
          wf.timeout().map(t -> t.at()).orElse(null));
    }
    if (runScope.isCancelled()) {
      CancelReason r = runScope.rootReason() != null ? runScope.rootReason() : runScope.reason();
      return new StepFailedException(
          Failure.cancelled(r, "the run was cancelled (" + r.wireName() + ")"), null, null);
    }
    if (e == null) {
      return new StepFailedException(
          Failure.of(FailureCode.INTERNAL, "Internal", "the run ended without a result"),
          null,
          null);
    }
    return Outcomes.failure(e, null, null);
  }

  /** The input with every declared field present: defaults, and null for optional ones. */
  private static JsonNode withDefaults(Workflow wf, JsonNode input) {
    ObjectNode o =
        input != null && input.isObject()
            ? ((ObjectNode) input).deepCopy()
            : JsonNodeFactory.instance.objectNode();
    for (InputField f : wf.input().values()) {
      if (!o.has(f.name())) {
        o.set(
            f.name(),
            f.defaultValue()
                .<JsonNode>map(d -> d.value().deepCopy())
                .orElse(NullNode.getInstance()));
      }
    }
    return o;
  }
}
