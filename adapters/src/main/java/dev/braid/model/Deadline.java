package dev.braid.model;

import java.time.Duration;
import java.util.Objects;

/**
 * An absolute point on a monotonic {@link Clock}. A timeout is converted into a deadline once, at
 * the edge; only the remaining time ever goes on the wire (DESIGN §3.3). A deadline is made only
 * from a clock, never from a hidden system default, and carries it: a {@link Scope} arms its timer
 * on the clock of its deadline. Deadlines are compared by their readings, so the deadlines of one
 * scope tree must come from one clock. Immutable and thread-safe.
 */
public final class Deadline implements Comparable<Deadline> {
  private static final long MAX_NANOS = Long.MAX_VALUE >> 1;
  private final Clock clock;
  private final long nanos;

  private Deadline(Clock clock, long nanos) {
    this.clock = clock;
    this.nanos = nanos;
  }

  /** The instant {@code timeout} from now on {@code clock}. */
  public static Deadline after(Duration timeout, Clock clock) {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(clock, "clock");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout < 0: " + timeout);
    }
    // capped at ~146 years so that now + delta stays comparable by subtraction, like nanoTime
    long delta = Math.min(saturatedNanos(timeout), MAX_NANOS);
    return new Deadline(clock, clock.nanoTime() + delta);
  }

  /** The earlier of two deadlines; either may be null (= no deadline). */
  public static Deadline earliest(Deadline a, Deadline b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Remaining time; zero or negative once expired. */
  public Duration remaining() {
    return Duration.ofNanos(remainingNanos());
  }

  public long remainingNanos() {
    return nanos - clock.nanoTime();
  }

  /**
   * Remaining whole milliseconds, rounded up so that a deadline 0.3 ms away is sent as 1 ms rather
   * than 0 (which on the wire means "no deadline"). Returns 0 only when expired.
   */
  public long remainingMillisForWire() {
    long r = remainingNanos();
    if (r <= 0) {
      return 0;
    }
    return (r + 999_999) / 1_000_000;
  }

  public boolean isExpired() {
    return remainingNanos() <= 0;
  }

  /** The clock this deadline is read on (and a scope's timer for it is armed on). */
  public Clock clock() {
    return clock;
  }

  long nanos() {
    return nanos;
  }

  @Override
  public int compareTo(Deadline o) {
    // subtraction, not Long.compare, so that nanoTime wrap-around is handled like the JDK does
    return Long.signum(nanos - o.nanos);
  }

  @Override
  public String toString() {
    return "Deadline[in " + remaining().toMillis() + "ms]";
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
