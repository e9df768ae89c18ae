package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.workflow.Step;
import dev.braid.model.CancelReason;
import dev.braid.model.Durations;
import dev.braid.model.Failure;
import dev.braid.model.Scope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A {@code signal} step: the run journal's next signal of that name ({@link
 * dev.braid.gateway.engine.RunJournal#nextSignal}), no thread held. Its {@code timeout} is an
 * instant journaled under {@code signal:PATH}, so it holds across restarts; when it passes, or the
 * step's scope is cancelled, the journal's future is cancelled, which gives up the wait without
 * consuming a signal.
 */
final class SignalStep {
  private final Run run;

  SignalStep(Run run) {
    this.run = run;
  }

  /** Runs on the run thread; the future completes on whichever thread delivers or times out. */
  CompletableFuture<JsonNode> run(Step.Signal s, Scope scope, String name) {
    String signal = s.name().value();
    // the instant first: a resumed run must reuse the deadline of its first life
    Long expires =
        s.timeout()
            .map(t -> run.instant("signal:" + name, run.wall.millis() + t.value().toMillis()))
            .orElse(null);
    CompletableFuture<JsonNode> next = run.journal.nextSignal(signal, name);
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    next.whenComplete(
        (v, e) -> {
          if (e == null) {
            result.complete(v == null ? NullNode.getInstance() : v);
          } else if (!next.isCancelled()) {
            result.completeExceptionally(Outcomes.failure(e, name, s.at()));
          }
        });
    Runnable unhook =
        scope.onCancel(
            r -> {
              if (next.cancel(false)) {
                result.completeExceptionally(
                    new StepFailedException(Outcomes.cancelled(scope), name, s.at()));
              }
            });
    CompletableFuture<Void> timer = CompletableFuture.completedFuture(null);
    if (expires != null && !next.isDone()) {
      long delay = expires - run.wall.millis();
      timer =
          delay <= 0
              ? CompletableFuture.completedFuture(null)
              : run.clock.sleep(Duration.ofMillis(delay));
      timer.thenRun(
          () -> {
            // cancel() loses to a signal that completed the future first: that signal stands
            if (next.cancel(false)) {
              result.completeExceptionally(
                  new StepFailedException(
                      Failure.cancelled(
                          CancelReason.DEADLINE_EXCEEDED,
                          "no signal '"
                              + signal
                              + "' arrived within "
                              + Durations.format(s.timeout().get().value())),
                      name,
                      s.at()));
            }
          });
    }
    CompletableFuture<Void> t = timer;
    result.whenComplete(
        (v, e) -> {
          unhook.run();
          t.cancel(false);
        });
    return result;
  }
}
