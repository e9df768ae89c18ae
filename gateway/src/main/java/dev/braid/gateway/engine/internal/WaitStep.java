package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.WaitInstants;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Scope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A {@code wait} step: a timer on the run's clock, no thread. The wake-up instant is wall time,
 * journaled under {@code wait:PATH} when the step first starts, so a run resumed after a restart
 * wakes at the original instant, at once if it has passed.
 */
final class WaitStep {
  private final Run run;

  WaitStep(Run run) {
    this.run = run;
  }

  /**
   * Runs on the run thread; the future completes (with null) on the clock's timer thread. An {@code
   * until} expression that fails or gives no instant fails the step ({@code INVALID_ARGUMENT}).
   */
  CompletableFuture<JsonNode> run(Step.Wait w, Scope scope, Env env, String name) {
    long fresh;
    if (w.duration().isPresent()) {
      fresh = run.wall.millis() + w.duration().get().value().toMillis();
    } else {
      JsonNode v = w.until().get().evaluate(env);
      try {
        fresh = WaitInstants.epochMillis(v);
      } catch (IllegalArgumentException e) {
        throw new StepFailedException(
            Failure.of(FailureCode.INVALID_ARGUMENT, "InvalidInstant", "until: " + e.getMessage()),
            name,
            w.at());
      }
    }
    long wake = run.instant("wait:" + name, fresh);
    return sleepUntil(run, wake, scope, name, w.at())
        .thenApply(v -> (JsonNode) NullNode.getInstance());
  }

  /**
   * A future completed once the wall clock reaches {@code wakeMillis} (at once if it has), or
   * failed with the cancellation as soon as {@code scope} is cancelled: the timer is then released.
   * The delay is measured once on the wall clock and waited on the run's clock, which tests drive.
   */
  static CompletableFuture<Void> sleepUntil(
      Run run, long wakeMillis, Scope scope, String name, Location at) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long delay = wakeMillis - run.wall.millis();
    CompletableFuture<Void> sleep =
        delay <= 0
            ? CompletableFuture.completedFuture(null)
            : run.clock.sleep(Duration.ofMillis(delay));
    Runnable unhook =
        scope.onCancel(
            r ->
                done.completeExceptionally(
                    new StepFailedException(Outcomes.cancelled(scope), name, at)));
    sleep.thenRun(() -> done.complete(null));
    done.whenComplete(
        (v, e) -> {
          unhook.run();
          sleep.cancel(false);
        });
    return done;
  }
}
