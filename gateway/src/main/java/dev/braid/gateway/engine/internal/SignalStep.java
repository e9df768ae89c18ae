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
import java.util.concurrent.atomic.AtomicReference;

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
    // Why this step gave the wait up, set before it cancels the journal's future: the first
    // reason wins. A future cancelled by someone else (a journal closing) still ends the step.
    AtomicReference<StepFailedException> gaveUp = new AtomicReference<>();
    next.whenComplete(
        (v, e) -> {
          if (e == null) {
            result.complete(v == null ? NullNode.getInstance() : v);
          } else if (!next.isCancelled()) {
            result.completeExceptionally(Outcomes.failure(e, name, s.at()));
          } else {
            StepFailedException why = gaveUp.get();
            result.completeExceptionally(
                why != null
                    ? why
                    : new StepFailedException(
                        Failure.cancelled(
                            CancelReason.CANCELLED,
                            "the run's journal gave up the wait for signal '" + signal + "'"),
                        name,
                        s.at()));
          }
        });
    Runnable unhook =
        scope.onCancel(
            r -> {
              gaveUp.compareAndSet(
                  null, new StepFailedException(Outcomes.cancelled(scope), name, s.at()));
              next.cancel(false);
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
            gaveUp.compareAndSet(
                null,
                new StepFailedException(
                    Failure.cancelled(
                        CancelReason.DEADLINE_EXCEEDED,
                        "no signal '"
                            + signal
                            + "' arrived within "
                            + written(s.timeout().get().value())),
                    name,
                    s.at()));
            // loses to a signal that completed the future first: that signal stands
            next.cancel(false);
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

  /** {@code d} as a person wrote it, for whole hours and minutes: "1h" reads better than 3600s. */
  static String written(Duration d) {
    long ms = d.toMillis();
    if (ms >= 3_600_000 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms >= 60_000 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return Durations.format(d);
  }
}
