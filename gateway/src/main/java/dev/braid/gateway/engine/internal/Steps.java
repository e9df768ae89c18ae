package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.braid.gateway.engine.FailureJson;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.expr.Values;
import dev.braid.model.CancelReason;
import dev.braid.model.Deadline;
import dev.braid.model.Durations;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Scope;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one step of any kind: its {@code if}, its own scope and timeout, the action, and {@code
 * on_error}. Every method runs on the run thread and returns without blocking.
 *
 * <p>Each step instance is named by its path (its id and the indexes of the loops around it, the
 * name its events carry). A path whose outcome the journal recorded in an earlier life of the run
 * is fed back instead of run; every step instance that settles by itself (not cancelled from
 * outside) is recorded, composites too, so that a resumed run skips whole finished subtrees.
 */
final class Steps {
  /**
   * The result of a step skipped by its {@code if}: null to every reader, but recognisable by
   * identity, so that a skipped branch does not win a {@code race} or an {@code any}.
   */
  static final JsonNode SKIPPED = new NullNode() {};

  private final Run run;
  private final CallStep calls;
  private final Joins joins;
  private final StreamStep streams;
  private final TryStep tries;
  private final ScriptStep scripts;
  private final HttpStep https;
  private final BlockRetry blockRetries;
  private final LoopStep loops;
  private final SubWorkflowStep subWorkflows;

  Steps(Run run) {
    this.run = run;
    this.calls = new CallStep(run);
    this.joins = new Joins(run, this);
    this.streams = new StreamStep(run, this);
    this.tries = new TryStep(run, this);
    this.scripts = new ScriptStep(run, run.sandbox);
    this.https = new HttpStep(run);
    this.blockRetries = new BlockRetry(run);
    this.loops = new LoopStep(run, this);
    this.subWorkflows = new SubWorkflowStep(run, this);
  }

  Run run() {
    return run;
  }

  /**
   * Runs {@code step} as a child of {@code parent}. The future completes on the run thread with the
   * step's result, or with a {@link StepFailedException}: the step's own failure, or a cancellation
   * when {@code parent} was cancelled while it ran.
   */
  /**
   * The failure of {@code step} stopped by {@code parent}'s cancellation: a call step's is its
   * call's language's (a cancelled Python call is not a Java failure); other steps' the gateway's.
   */
  private static Failure cancelled(Step step, Scope parent) {
    Failure f = Outcomes.cancelled(parent);
    if (step.action() instanceof Step.Call c) {
      String ref = c.function().value();
      return f.withLanguage(languageOfRef(ref));
    }
    return f;
  }

  CompletableFuture<JsonNode> run(Step step, Scope parent, Env env) {
    String name = path(step, env);
    String kind = kindOf(step.action());
    if (parent.isCancelled()) {
      return CompletableFuture.failedFuture(
          new StepFailedException(cancelled(step, parent), name, step.at()));
    }
    Optional<StepOutcome> recorded = run.recorded(name);
    if (recorded.isPresent()) {
      return replay(step, name, kind, recorded.get(), env);
    }
    if (step.when().isPresent()) {
      boolean go;
      try {
        go = step.when().get().condition(env);
      } catch (RuntimeException e) {
        StepFailedException f = Outcomes.failure(e, name, step.at());
        finished(name, kind, Status.FAILED, f.failure());
        return CompletableFuture.failedFuture(f);
      }
      if (!go) {
        finished(name, kind, Status.SKIPPED, null);
        return CompletableFuture.completedFuture(SKIPPED);
      }
    }
    run.stepStarted(
        name, kind, functionOf(step.action()), languageOf(step.action()), env.item(), false);
    // For a call, `timeout` bounds each attempt and is enforced per attempt; for every other kind
    // it bounds the whole step.
    Deadline deadline =
        step.action() instanceof Step.Call || step.action() instanceof Step.Http
            ? null
            : step.timeout().map(t -> run.deadlineAfter(t.value())).orElse(null);
    // the step's scope owns its timeout (a timer only when it is the earliest deadline)
    Scope scope = parent.child(deadline);
    CompletableFuture<JsonNode> work;
    try {
      work =
          step.retry().isPresent()
              ? blockRetries.run(step, scope, env, name, kind, (s, e) -> action(step, s, e, name))
              : action(step, scope, env, name);
    } catch (RuntimeException e) {
      work = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    work.whenCompleteAsync(
        (value, error) -> {
          boolean ownTimeout = scope.expiredBy() == scope && !parent.isCancelled();
          scope.close();
          settle(step, name, kind, parent, env, value, error, ownTimeout, result);
        },
        run.loop);
    return result;
  }

  /** The recorded outcome of a step instance as if it had just settled, with replayed events. */
  private CompletableFuture<JsonNode> replay(
      Step step, String name, String kind, StepOutcome outcome, Env env) {
    run.stepStarted(name, kind, null, null, env.item(), true);
    if (outcome.isOk()) {
      run.emitReplayed(RunEvent.Type.STEP_FINISHED, name, kind, Status.OK, null);
      return CompletableFuture.completedFuture(outcome.value());
    }
    Failure f = outcome.failure();
    run.emitReplayed(
        RunEvent.Type.STEP_FINISHED,
        name,
        kind,
        f.code() == FailureCode.CANCELLED ? Status.CANCELLED : Status.FAILED,
        f);
    return CompletableFuture.failedFuture(new StepFailedException(f, name, step.at()));
  }

  private void settle(
      Step step,
      String name,
      String kind,
      Scope parent,
      Env env,
      JsonNode value,
      Throwable error,
      boolean ownTimeout,
      CompletableFuture<JsonNode> result) {
    if (parent.isCancelled()) {
      // Cancellation from outside wins over whatever the step managed to produce: the scope
      // around it is finishing, and no handler may turn that into a value.
      StepFailedException f = new StepFailedException(cancelled(step, parent), name, step.at());
      finished(name, kind, Status.CANCELLED, f.failure());
      result.completeExceptionally(f);
      return;
    }
    if (error == null) {
      // a value produced despite the step's own timeout (a catch that handled it) stands
      JsonNode v = value == null ? NullNode.getInstance() : value;
      finished(name, kind, Status.OK, null);
      if (v != SKIPPED) {
        // a switch whose case was skipped is not recorded: re-deciding it keeps the skip's identity
        run.settled(name, StepOutcome.ok(v));
      }
      result.complete(v);
      return;
    }
    StepFailedException f;
    if (ownTimeout && step.timeout().isPresent()) {
      f =
          new StepFailedException(
              Failure.cancelled(
                  CancelReason.DEADLINE_EXCEEDED,
                  "step '"
                      + name
                      + "' timed out after "
                      + Durations.format(step.timeout().get().value())),
              name,
              step.at());
    } else {
      f = Outcomes.failure(error, name, step.at());
    }
    if (step.onError().isPresent()) {
      try {
        JsonNode fallback =
            step.onError().get().evaluate(env.bind("error", FailureJson.toJson(f.failure())));
        run.emit(
            RunEvent.Type.STEP_FINISHED,
            name,
            kind,
            null,
            null,
            0,
            Status.OK,
            f.failure(),
            null,
            null);
        run.settled(name, StepOutcome.ok(fallback));
        result.complete(fallback);
        return;
      } catch (RuntimeException e) {
        f = Outcomes.failure(e, name, step.at());
      }
    }
    finished(
        name,
        kind,
        f.failure().code() == FailureCode.CANCELLED ? Status.CANCELLED : Status.FAILED,
        f.failure());
    run.settled(name, StepOutcome.failed(f.failure()));
    result.completeExceptionally(f);
  }

  private CompletableFuture<JsonNode> action(Step step, Scope scope, Env env, String name) {
    Step.Action a = step.action();
    if (a instanceof Step.Call c) {
      return calls.run(c, scope, env, name);
    } else if (a instanceof Step.Parallel p) {
      return joins.parallel(p, scope, env);
    } else if (a instanceof Step.ForEach f) {
      return joins.forEach(f, scope, env, name);
    } else if (a instanceof Step.Try t) {
      return tries.run(t, scope, env);
    } else if (a instanceof Step.Switch sw) {
      String key = Values.text(sw.value().evaluate(env));
      Step chosen = sw.cases().containsKey(key) ? sw.cases().get(key) : sw.cases().get("default");
      return chosen == null
          ? CompletableFuture.completedFuture(NullNode.getInstance())
          : run(chosen, scope, env);
    } else if (a instanceof Step.Stream s) {
      return streams.run(s, scope, env, name);
    } else if (a instanceof Step.Wait w) {
      return new WaitStep(run).run(w, scope, env, name);
    } else if (a instanceof Step.Signal sg) {
      return new SignalStep(run).run(sg, scope, name);
    } else if (a instanceof Step.SetValue sv) {
      return DataSteps.set(sv, env);
    } else if (a instanceof Step.Raise r) {
      return DataSteps.raise(r, env, name);
    } else if (a instanceof Step.Http h) {
      return https.run(h, scope, env, name);
    } else if (a instanceof Step.Loop l) {
      return loops.run(l, scope, env, name);
    } else if (a instanceof Step.SubWorkflow sw) {
      return subWorkflows.run(sw, scope, env, name);
    } else {
      return scripts.run(step, (Step.Script) a, scope, env, name);
    }
  }

  private void finished(String name, String kind, Status status, Failure failure) {
    run.emit(RunEvent.Type.STEP_FINISHED, name, kind, null, null, 0, status, failure, null, null);
  }

  /**
   * The step instance's path: the step's id, then the index of each loop item around it ({@code
   * prices.do[3]}); the name its events carry and its journal key.
   */
  static String path(Step step, Env env) {
    return env.prefix() + step.id() + env.suffix();
  }

  static String kindOf(Step.Action a) {
    if (a instanceof Step.Call) {
      return "call";
    } else if (a instanceof Step.Parallel) {
      return "parallel";
    } else if (a instanceof Step.ForEach) {
      return "for_each";
    } else if (a instanceof Step.Try) {
      return "try";
    } else if (a instanceof Step.Switch) {
      return "switch";
    } else if (a instanceof Step.Stream) {
      return "stream";
    } else if (a instanceof Step.Wait) {
      return "wait";
    } else if (a instanceof Step.Signal) {
      return "signal";
    } else if (a instanceof Step.SetValue) {
      return "set";
    } else if (a instanceof Step.Raise) {
      return "raise";
    } else if (a instanceof Step.Http) {
      return "http";
    } else if (a instanceof Step.Loop) {
      return "loop";
    } else if (a instanceof Step.SubWorkflow) {
      return "workflow";
    }
    return "script";
  }

  private static String functionOf(Step.Action a) {
    if (a instanceof Step.Call c) {
      return c.function().value();
    } else if (a instanceof Step.Stream s) {
      return s.function().value();
    }
    return null;
  }

  private static String languageOf(Step.Action a) {
    String f = functionOf(a);
    return f == null ? null : languageOfRef(f);
  }

  /** The language of a function reference: {@code python} for {@code python@gpu:m:f} too. */
  static String languageOfRef(String ref) {
    int colon = Math.max(0, ref.indexOf(':'));
    int at = ref.indexOf('@');
    return ref.substring(0, at >= 0 && at < colon ? at : colon);
  }
}
