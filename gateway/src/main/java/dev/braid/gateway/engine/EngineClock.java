package dev.braid.gateway.engine;

import dev.braid.model.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The engine's {@link Clock} plus the wait between retry attempts as a future. Kept only so that
 * tests can make retry waits take no time while recording them; deadlines use the plain clock.
 */
public interface EngineClock extends Clock {
  /**
   * A future completed after {@code wait}, on the clock's timer. Cancelling the future releases the
   * wait; the completion may run on any thread.
   */
  default CompletableFuture<Void> sleep(Duration wait) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    Timer t = schedule(wait, () -> f.complete(null));
    f.whenComplete((v, e) -> t.cancel());
    return f;
  }

  /** {@code clock} with the default {@link #sleep}. */
  static EngineClock of(Clock clock) {
    if (clock instanceof EngineClock e) {
      return e;
    }
    return new EngineClock() {
      @Override
      public long nanoTime() {
        return clock.nanoTime();
      }

      @Override
      public Timer schedule(Duration delay, Runnable task) {
        return clock.schedule(delay, task);
      }

      @Override
      public String toString() {
        return clock.toString();
      }
    };
  }
}
