package dev.braid.gateway.engine;

import dev.braid.model.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The engine's time: a monotonic clock for deadlines and the waits between retry attempts. Tests
 * inject one whose waits take no real time, so retry policies can be checked without sleeping.
 */
public interface EngineClock extends Ticker {
  /**
   * A future completed after {@code wait}. Cancelling the future must release the wait; the
   * completion may run on any thread.
   */
  CompletableFuture<Void> sleep(Duration wait);

  /** The system clock, waits scheduled on {@code timer}. */
  static EngineClock system(ScheduledExecutorService timer) {
    return new EngineClock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public CompletableFuture<Void> sleep(Duration wait) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        var task = timer.schedule(() -> f.complete(null), wait.toNanos(), TimeUnit.NANOSECONDS);
        f.whenComplete((v, e) -> task.cancel(false));
        return f;
      }
    };
  }
}
