package dev.braid.internal.worker;

import java.time.Duration;

/**
 * Decides when a silent worker is hung, counting only the time during which the gateway's own
 * pinger ran on time. A worker's silence is only evidence against it if the gateway could have
 * heard it: during a long GC pause, or while the timer thread is held up, no pings are sent and no
 * pongs are read, so every worker looks silent. When the pinger finds that it ran late by more than
 * a tolerance, the liveness window restarts: each worker then gets a whole {@code timeout} of
 * on-time pinging before it can be declared hung.
 *
 * <p>Called by the pinger only (one timer thread); synchronized so that the stats may be read from
 * anywhere. Times are {@link System#nanoTime()} values passed in, so tests drive their own clock.
 */
final class Liveness {
  private final long intervalNanos;
  private final long timeoutNanos;
  private final long toleranceNanos;
  // guarded by this
  private long lastTick;
  private long windowStart;
  private long stalls;
  private long lastStallNanos;
  private long longestStallNanos;

  /**
   * @param interval how often the pinger is scheduled
   * @param timeout how long a worker may stay silent while the gateway runs on time
   * @param now the current {@link System#nanoTime()}: the first window starts here
   */
  Liveness(Duration interval, Duration timeout, long now) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval <= 0: " + interval);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout <= 0: " + timeout);
    }
    this.intervalNanos = interval.toNanos();
    this.timeoutNanos = timeout.toNanos();
    // a loaded machine delays timers by tens of milliseconds; a lateness of a whole interval (and
    // at least 200 ms) means the gateway itself stopped, which is what must not be blamed on
    // workers
    this.toleranceNanos = Math.max(intervalNanos, Duration.ofMillis(200).toNanos());
    this.lastTick = now;
    this.windowStart = now;
  }

  /**
   * Records a run of the pinger at {@code now}. Returns false, and restarts the liveness window,
   * when this run came later than its schedule by more than the tolerance: the gateway stalled.
   */
  synchronized boolean tick(long now) {
    long late = now - lastTick - intervalNanos;
    lastTick = now;
    if (late > toleranceNanos) {
      windowStart = now;
      stalls++;
      lastStallNanos = late;
      longestStallNanos = Math.max(longestStallNanos, late);
      return false;
    }
    return true;
  }

  /**
   * Whether a worker silent for {@code nanosSincePong} is hung: silent for longer than the timeout,
   * counted from the later of its last pong and the start of the current window.
   */
  synchronized boolean hung(long nanosSincePong, long now) {
    return Math.min(nanosSincePong, now - windowStart) > timeoutNanos;
  }

  /** How many times the gateway was found stalled. */
  synchronized long stalls() {
    return stalls;
  }

  /** The lateness of the pinger at the latest stall, in nanoseconds. */
  synchronized long lastStallNanos() {
    return lastStallNanos;
  }

  /** The longest lateness of the pinger seen, in nanoseconds. */
  synchronized long longestStallNanos() {
    return longestStallNanos;
  }
}
