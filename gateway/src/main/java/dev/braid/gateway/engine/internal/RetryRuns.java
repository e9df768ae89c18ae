package dev.braid.gateway.engine.internal;

import dev.braid.api.RetryPolicy;
import dev.braid.gateway.workflow.Jitter;
import dev.braid.gateway.workflow.Located;
import dev.braid.model.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What every retried step kind shares with {@link CallStep}: the workflow's policy as the core's,
 * the engine's clock as the core's, and waits kept as journaled instants.
 */
final class RetryRuns {
  private RetryRuns() {}

  /** The workflow's located {@code retry} as the core's policy; the checker validated it. */
  static RetryPolicy policy(dev.braid.gateway.workflow.RetryPolicy p) {
    return RetryPolicy.builder()
        .maxAttempts(p.maxAttempts().value())
        .initialInterval(p.initialInterval().value())
        .backoff(p.backoff().value())
        .maxInterval(p.maxInterval().value())
        .jitter(p.jitter().value() == Jitter.FULL)
        .retryOn(p.retryOn().stream().map(Located::value).toList())
        .nonRetryable(p.nonRetryable().stream().map(Located::value).toList())
        .build();
  }

  /** The engine's clock as the core's: waits end early when their future is cancelled. */
  static Clock clock(Run run) {
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

  /**
   * The wait before {@code attempt} of the step at {@code path} as an absolute instant kept in the
   * journal ({@code retry:PATH#N}): a fresh wait is {@code chosen}; one an earlier life chose is
   * what is left of it. On the wall clock, since the instant must mean the same after a restart.
   */
  static Duration remainingWait(Run run, String path, int attempt, Duration chosen) {
    long now = run.wall.millis();
    long fresh = now + chosen.toMillis();
    long at = run.instant("retry:" + path + "#" + attempt, fresh);
    return at == fresh ? chosen : Duration.ofMillis(Math.max(0, at - now));
  }
}
