package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.CallOptions;
import dev.braid.api.CircuitBreakerPolicy;
import dev.braid.api.RemoteCall;
import dev.braid.api.RetryPolicy;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.workflow.CallPolicy;
import dev.braid.gateway.workflow.CircuitBreaker;
import dev.braid.gateway.workflow.Jitter;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Step;
import dev.braid.internal.policy.CircuitBreakers;
import dev.braid.internal.policy.Retrier;
import dev.braid.model.CancelReason;
import dev.braid.model.Clock;
import dev.braid.model.Deadline;
import dev.braid.model.Durations;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Failures;
import dev.braid.model.Scope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A {@code call} step: attempts under the retry policy and the circuit breaker (DESIGN §3.9).
 *
 * <p>Each attempt is a child call of the step's scope with the attempt {@code timeout}; {@code
 * total_timeout} is a deadline on a scope around all attempts and waits. Cancellation is never
 * retried, and no attempt starts if the wait before it would reach the deadline.
 */
final class CallStep {
  private final Run run;

  CallStep(Run run) {
    this.run = run;
  }

  CompletableFuture<JsonNode> run(Step.Call call, Scope stepScope, Env env, String name) {
    Arguments args = Arguments.evaluate(call.args(), call.with(), env);
    CallPolicy policy = call.policy();
    Deadline total = policy.totalTimeout().map(t -> run.deadlineAfter(t.value())).orElse(null);
    // total_timeout is owned by a scope around the attempts; each attempt's timeout by the
    // attempt's own scope inside the call (CallExecution)
    Scope scope = total == null ? stepScope : stepScope.child(total);
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    new Attempts(call, args, scope, name, result).start();
    return result.whenComplete(
        (v, e) -> {
          if (scope != stepScope) {
            scope.close();
          }
        });
  }

  /**
   * The attempts of one step, one after the other: the core's {@link Retrier} decides, on the run
   * thread, and its callbacks become the run's attempt and retry events.
   */
  private final class Attempts implements Retrier.Listener {
    private final Step.Call call;
    private final Arguments args;
    private final Scope scope;
    private final String name;
    private final CompletableFuture<JsonNode> result;
    private final String function;
    private final String language;
    private final CircuitBreakers.Breaker breaker;
    private final RetryPolicy retry;

    Attempts(
        Step.Call call,
        Arguments args,
        Scope scope,
        String name,
        CompletableFuture<JsonNode> result) {
      this.call = call;
      this.args = args;
      this.scope = scope;
      this.name = name;
      this.result = result;
      this.function = call.function().value();
      this.language = Steps.languageOfRef(function);
      this.breaker =
          call.policy()
              .circuitBreaker()
              .map(cb -> run.breakers.forFunction(function, breakerPolicy(cb)))
              .orElse(null);
      this.retry = retryPolicy(call.policy());
    }

    void start() {
      // A resumed call continues its attempt numbers: the last one an earlier life started may
      // have reached its worker, so the next is sent (even past max_attempts), with the same key.
      int last = run.lastAttempt(name);
      Duration firstWait = last == 0 ? Duration.ZERO : remainingWait(last + 1, Duration.ZERO);
      new Retrier<>(retry, breaker, scope, clock(), run.random, run.loop, this, this::startAttempt)
          .waits(this::remainingWait)
          .start(last + 1, firstWait)
          .whenComplete(
              (v, e) -> {
                if (e == null) {
                  result.complete(v);
                } else if (scope.isCancelled()) {
                  // stopped by the step's scope: say by what (its deadline, a cancel), not how
                  // the attempt that was running ended
                  result.completeExceptionally(
                      new StepFailedException(stoppedBy(), name, call.at()));
                } else {
                  result.completeExceptionally(
                      new StepFailedException(Failures.fromThrowable(e), name, call.at()));
                }
              });
    }

    /**
     * The wait before {@code attempt} as an absolute instant kept in the journal ({@code
     * retry:PATH#N}): a fresh wait is {@code chosen}; one an earlier life chose is what is left of
     * it. On the wall clock, since the instant must mean the same after a restart.
     */
    private Duration remainingWait(int attempt, Duration chosen) {
      long now = run.wall.millis();
      long fresh = now + chosen.toMillis();
      long at = run.instant("retry:" + name + "#" + attempt, fresh);
      return at == fresh ? chosen : Duration.ofMillis(Math.max(0, at - now));
    }

    /**
     * Sends attempt {@code attempt} once the journal has recorded that it starts (write-ahead: a
     * crash can never hide an attempt a worker saw).
     */
    private CompletableFuture<JsonNode> startAttempt(int attempt) {
      CompletableFuture<Void> ahead = run.attemptStarting(name, attempt);
      if (ahead.isDone() && !ahead.isCompletedExceptionally()) {
        return send(attempt);
      }
      return ahead.thenComposeAsync(
          v ->
              scope.isCancelled()
                  ? CompletableFuture.failedFuture(
                      Failures.toException(
                          Failure.cancelled(rootReason(scope), "call cancelled")
                              .withLanguage(language),
                          false))
                  : send(attempt),
          run.loop);
    }

    private CompletableFuture<JsonNode> send(int attempt) {
      CallPolicy p = call.policy();
      CallOptions.Builder o =
          CallOptions.builder()
              .parent(scope)
              .idempotencyKey(run.idempotencyKey(name))
              .secrets(run.secrets);
      p.timeout().map(Located::value).ifPresent(o::timeout);
      p.queueTimeout().map(Located::value).ifPresent(o::queueTimeout);
      p.heartbeatTimeout().map(Located::value).ifPresent(o::heartbeatTimeout);
      RemoteCall rc =
          run.braid
              .function(function)
              .internalAttempt(args.positional(), args.keywords(), o.build(), attempt);
      // The attempt is the step's own work, not a child step: it is cancelled with the reason at
      // the root (race_lost, sibling_failed, cancelled...) before the scope tree would tell it
      // only parent_cancelled, so that the function learns why it was stopped.
      Runnable unhook = scope.onCancel(r -> rc.cancel(rootReason(scope)));
      return rc.whenComplete((v, e) -> unhook.run());
    }

    @Override
    public void attemptStarted(int attempt) {
      attemptEvent(RunEvent.Type.ATTEMPT_STARTED, attempt, null, null);
    }

    @Override
    public void attemptFinished(int attempt, Failure failure, boolean cancelled) {
      if (failure == null) {
        attemptEvent(RunEvent.Type.ATTEMPT_FINISHED, attempt, Status.OK, null);
        return;
      }
      attemptEvent(
          RunEvent.Type.ATTEMPT_FINISHED,
          attempt,
          cancelled ? Status.CANCELLED : Status.FAILED,
          failure);
      if (failure.code() == FailureCode.DEADLINE_EXCEEDED) {
        // the worker may report the shared deadline before the owner's timer fires
        scope.expireIfDue();
      }
    }

    @Override
    public void retryScheduled(int attempt, Failure failure, Duration wait) {
      run.emit(
          RunEvent.Type.RETRY_SCHEDULED,
          name,
          "call",
          function,
          language,
          attempt,
          Status.FAILED,
          failure,
          wait,
          null);
    }

    /** The engine's clock as the core's: waits end early when their future is cancelled. */
    private Clock clock() {
      Clock c = run.clock;
      return new Clock() {
        @Override
        public long nanoTime() {
          return c.nanoTime();
        }

        @Override
        public Clock.Timer schedule(Duration delay, Runnable task) {
          CompletableFuture<Void> sleep = c.sleep(delay);
          sleep.thenRun(task);
          return () -> sleep.cancel(false);
        }
      };
    }

    private static CancelReason rootReason(Scope s) {
      CancelReason r = s.rootReason();
      return r != null ? r : CancelReason.CANCELLED;
    }

    /** The failure of a step whose attempts were stopped by its scope's cancellation. */
    private Failure stoppedBy() {
      // the call's language, not the gateway's: the user reads "a Python call was cancelled"
      return stoppedByScope().withLanguage(language);
    }

    private Failure stoppedByScope() {
      if (scope.expiredBy() == scope) {
        return Failure.cancelled(
            CancelReason.DEADLINE_EXCEEDED,
            "step '"
                + name
                + "' ran out of time"
                + call.policy()
                    .totalTimeout()
                    .map(t -> " (total_timeout " + Durations.format(t.value()) + ")")
                    .orElse(""));
      }
      return Outcomes.cancelled(scope);
    }

    private void attemptEvent(RunEvent.Type type, int attempt, Status status, Failure failure) {
      run.emit(type, name, "call", function, language, attempt, status, failure, null, null);
    }
  }

  /**
   * The workflow's located {@code retry} syntax as the core's policy, or null for one attempt; the
   * workflow checker validated it already.
   */
  static RetryPolicy retryPolicy(CallPolicy policy) {
    return policy
        .retry()
        .map(
            p ->
                RetryPolicy.builder()
                    .maxAttempts(p.maxAttempts().value())
                    .initialInterval(p.initialInterval().value())
                    .backoff(p.backoff().value())
                    .maxInterval(p.maxInterval().value())
                    .jitter(p.jitter().value() == Jitter.FULL)
                    .retryOn(p.retryOn().stream().map(Located::value).toList())
                    .nonRetryable(p.nonRetryable().stream().map(Located::value).toList())
                    .build())
        .orElse(null);
  }

  static CircuitBreakerPolicy breakerPolicy(CircuitBreaker cb) {
    return new CircuitBreakerPolicy(cb.failureThreshold().value(), cb.resetTimeout().value());
  }
}
