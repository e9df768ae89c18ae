package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.gateway.workflow.Step;
import dev.braid.internal.policy.Retrier;
import dev.braid.model.Failure;
import dev.braid.model.Failures;
import dev.braid.model.Scope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;

/**
 * {@code retry:} on a step that holds other steps ({@code parallel}, {@code for_each}, {@code try},
 * {@code switch}): the whole step runs again per attempt under the same rules as a call's retries
 * (the core's {@link Retrier}). Each attempt runs in a child scope of the step's, so a failed
 * attempt's leftovers are cancelled and awaited before the next starts, and the step's {@code
 * timeout} bounds all attempts and waits.
 *
 * <p>Durability: attempt N (from 2) names the steps inside it with {@code #N} ({@code fan.a#2}), so
 * each attempt's outcomes are journaled apart; the attempt number is written ahead like a call's,
 * and a resumed run re-enters the attempt it was in, replaying what that attempt had finished. Runs
 * on the run thread.
 */
final class BlockRetry {
  private final Run run;

  BlockRetry(Run run) {
    this.run = run;
  }

  /**
   * @param action runs the step's action once, in the scope and environment given
   */
  CompletableFuture<JsonNode> run(
      Step step,
      Scope stepScope,
      Env env,
      String name,
      String kind,
      BiFunction<Scope, Env, CompletableFuture<JsonNode>> action) {
    Retrier.Listener events =
        new Retrier.Listener() {
          @Override
          public void attemptStarted(int attempt) {
            run.emit(
                RunEvent.Type.ATTEMPT_STARTED,
                name,
                kind,
                null,
                null,
                attempt,
                null,
                null,
                null,
                null);
          }

          @Override
          public void attemptFinished(int attempt, Failure failure, boolean cancelled) {
            Status s = failure == null ? Status.OK : cancelled ? Status.CANCELLED : Status.FAILED;
            run.emit(
                RunEvent.Type.ATTEMPT_FINISHED,
                name,
                kind,
                null,
                null,
                attempt,
                s,
                failure,
                null,
                null);
          }

          @Override
          public void retryScheduled(int attempt, Failure failure, Duration wait) {
            run.emit(
                RunEvent.Type.RETRY_SCHEDULED,
                name,
                kind,
                null,
                null,
                attempt,
                Status.FAILED,
                failure,
                wait,
                null);
          }
        };
    int last = run.lastAttempt(name);
    return new Retrier<JsonNode>(
            RetryRuns.policy(step.retry().orElseThrow()),
            null,
            stepScope,
            RetryRuns.clock(run),
            run.random,
            run.loop,
            events,
            n -> attempt(n, stepScope, env, name, action))
        .waits((n, chosen) -> RetryRuns.remainingWait(run, name, n, chosen))
        // an interrupted attempt is re-entered, not counted again: its finished steps replay
        .start(Math.max(1, last), Duration.ZERO);
  }

  private CompletableFuture<JsonNode> attempt(
      int n,
      Scope stepScope,
      Env env,
      String name,
      BiFunction<Scope, Env, CompletableFuture<JsonNode>> action) {
    return run.attemptStarting(name, n)
        .thenComposeAsync(
            v -> {
              Scope scope = stepScope.child();
              CompletableFuture<JsonNode> work;
              try {
                work = action.apply(scope, n == 1 ? env : env.attempt(n));
              } catch (RuntimeException e) {
                work = CompletableFuture.failedFuture(e);
              }
              return work.handle(
                  (value, error) -> {
                    scope.close();
                    if (error != null) {
                      // the core's retrier reads failures from its own exception type
                      throw new CompletionException(
                          Failures.toException(
                              Outcomes.failure(error, null, null).failure(), false));
                    }
                    return value;
                  });
            },
            run.loop);
  }
}
