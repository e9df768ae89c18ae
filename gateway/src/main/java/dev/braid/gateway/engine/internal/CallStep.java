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
    Scope scope = total == null ? stepScope : stepScope.child(total);
    Runnable stopTimer = run.enforce(scope, total);
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    new Attempts(call, args, scope, name, result).start(1);
    return result.whenComplete(
        (v, e) -> {
          stopTimer.run();
          if (scope != stepScope) {
            scope.close();
          }
        });
  }

  /** The attempts of one step, one after the other. */
  private final class Attempts {
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
      this.language = function.substring(0, function.indexOf(':'));
      this.breaker =
          call.policy()
              .circuitBreaker()
              .map(cb -> run.breakers.forFunction(function, breakerPolicy(cb)))
              .orElse(null);
      this.retry = retryPolicy(call.policy());
    }

    void start(int attempt) {
      if (scope.isCancelled()) {
        fail(new StepFailedException(stoppedBy(), name, call.at()));
        return;
      }
      attemptEvent(RunEvent.Type.ATTEMPT_STARTED, attempt, null, null);
      if (breaker != null && !breaker.tryAcquire()) {
        Failure open = breaker.openFailure();
        attemptEvent(RunEvent.Type.ATTEMPT_FINISHED, attempt, Status.FAILED, open);
        afterFailure(attempt, open);
        return;
      }
      CallPolicy p = call.policy();
      CallOptions.Builder o = CallOptions.builder().parent(scope);
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
      rc.whenCompleteAsync(
          (value, error) -> {
            unhook.run();
            if (error == null) {
              if (breaker != null) {
                breaker.onSuccess();
              }
              attemptEvent(RunEvent.Type.ATTEMPT_FINISHED, attempt, Status.OK, null);
              result.complete(value);
              return;
            }
            Failure f = Failures.fromThrowable(error);
            boolean cancelled = f.code() == FailureCode.CANCELLED || scope.isCancelled();
            if (breaker != null) {
              if (cancelled) {
                breaker.onCancelled();
              } else {
                breaker.onFailure();
              }
            }
            attemptEvent(
                RunEvent.Type.ATTEMPT_FINISHED,
                attempt,
                cancelled ? Status.CANCELLED : Status.FAILED,
                f);
            afterFailure(attempt, f);
          },
          run.loop);
    }

    private void afterFailure(int attempt, Failure f) {
      if (f.code() == FailureCode.DEADLINE_EXCEEDED) {
        run.enforceIfExpired(scope);
      }
      if (scope.isCancelled()) {
        fail(new StepFailedException(stoppedBy(), name, call.at()));
        return;
      }
      if (retry == null || attempt >= retry.maxAttempts() || !Retrier.retryable(retry, f)) {
        fail(new StepFailedException(f, name, call.at()));
        return;
      }
      Duration wait = Retrier.backoff(retry, attempt, run.random);
      Deadline deadline = scope.deadline();
      if (deadline != null && wait.toNanos() >= deadline.remainingNanos()) {
        // The next attempt could not even start before the deadline: report the real failure
        // rather than a timeout that the wait would have produced.
        fail(new StepFailedException(f, name, call.at()));
        return;
      }
      run.emit(
          RunEvent.Type.RETRY_SCHEDULED,
          name,
          "call",
          function,
          language,
          attempt,
          Status.FAILED,
          f,
          wait,
          null);
      CompletableFuture<Void> sleep = run.clock.sleep(wait);
      Runnable unhook = scope.onCancel(r -> sleep.cancel(false));
      sleep.whenCompleteAsync(
          (v, e) -> {
            unhook.run();
            start(attempt + 1);
          },
          run.loop);
    }

    private static CancelReason rootReason(Scope s) {
      CancelReason r = s.rootReason();
      return r != null ? r : CancelReason.CANCELLED;
    }

    /** The failure of a step whose attempts were stopped by its scope's cancellation. */
    private Failure stoppedBy() {
      if (scope.reason() == CancelReason.DEADLINE_EXCEEDED && scope.deadline() != null) {
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

    private void fail(StepFailedException e) {
      result.completeExceptionally(e);
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
