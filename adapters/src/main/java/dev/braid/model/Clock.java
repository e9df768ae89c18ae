package dev.braid.model;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one source of time for deadlines, timers and waits (DESIGN §3.3): a monotonic reading in
 * nanoseconds and a way to run a task after a delay. Production code uses {@link #system}; tests
 * use {@link ManualClock}, whose time moves only when the test says so, so that deadline and retry
 * behaviour is checked without sleeping.
 *
 * <p>Scheduled tasks run on the clock's timer thread (or, for a manual clock, on the thread that
 * advances it); they must be short and must not block.
 */
public interface Clock {
  /** Monotonic nanoseconds, comparable only by subtraction (like {@link System#nanoTime()}). */
  long nanoTime();

  /**
   * Runs {@code task} once after {@code delay} (at once, or nearly, when the delay is zero or
   * negative). The returned handle cancels it if it has not run yet.
   */
  Timer schedule(Duration delay, Runnable task);

  /**
   * A future completed after {@code wait} on this clock's timer (a retry's backoff, a workflow's
   * wait). Cancelling the future releases the timer; the completion may run on any thread. Tests
   * may override it to record waits and let them take no time.
   */
  default CompletableFuture<Void> sleep(Duration wait) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    Timer t = schedule(wait, () -> f.complete(null));
    f.whenComplete((v, e) -> t.cancel());
    return f;
  }

  /** A scheduled task that has not run yet can be cancelled; cancelling later is a no-op. */
  @FunctionalInterface
  interface Timer {
    Timer NONE = () -> false;

    /** True if this call stopped the task from running. */
    boolean cancel();
  }

  /** The system clock, running tasks on {@code timer} (owned and shut down by the caller). */
  static Clock system(ScheduledExecutorService timer) {
    return new Clock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public Timer schedule(Duration delay, Runnable task) {
        var f = timer.schedule(task, Durations.saturatedNanos(delay), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
      }

      @Override
      public String toString() {
        return "Clock.system";
      }
    };
  }
}
