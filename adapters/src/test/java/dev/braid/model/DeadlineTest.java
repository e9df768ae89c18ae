package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadlineTest {
  private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - 1_000_000_000L);
  // a reading only (near the wrap-around, which ManualClock cannot start at); nothing is scheduled
  private final Clock clock =
      new Clock() {
        @Override
        public long nanoTime() {
          return now.get();
        }

        @Override
        public Timer schedule(Duration delay, Runnable task) {
          throw new UnsupportedOperationException("a Deadline never schedules");
        }
      };

  @Test
  void remainingFollowsTheInjectedClockEvenAcrossNanoTimeWrapAround() {
    Deadline d = Deadline.after(Duration.ofSeconds(2), clock);
    now.addAndGet(1_500_000_000L); // wraps past Long.MAX_VALUE
    assertThat(d.remaining()).isEqualTo(Duration.ofMillis(500));
    assertThat(d.isExpired()).isFalse();
    now.addAndGet(600_000_000L);
    assertThat(d.isExpired()).isTrue();
  }

  @Test
  void wireMillisRoundUpSoAnAlmostExpiredDeadlineIsNotSentAsNoDeadline() {
    Deadline d = Deadline.after(Duration.ofNanos(300_000), clock);
    assertThat(d.remainingMillisForWire()).isEqualTo(1);
    now.addAndGet(300_000);
    assertThat(d.remainingMillisForWire()).isZero();
  }

  @Test
  void earliestTreatsNullAsNoDeadline() {
    Deadline a = Deadline.after(Duration.ofSeconds(1), clock);
    Deadline b = Deadline.after(Duration.ofSeconds(2), clock);
    assertThat(Deadline.earliest(a, b)).isSameAs(a);
    assertThat(Deadline.earliest(b, a)).isSameAs(a);
    assertThat(Deadline.earliest(null, b)).isSameAs(b);
    assertThat(Deadline.earliest(a, null)).isSameAs(a);
  }

  @Test
  void negativeTimeoutIsRejected() {
    assertThatThrownBy(() -> Deadline.after(Duration.ofMillis(-1), clock))
        .hasMessageContaining("timeout < 0");
  }

  @Test
  void aDeadlineIsMadeOnlyFromAClockAndKeepsIt() {
    assertThatThrownBy(() -> Deadline.after(Duration.ofSeconds(1), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("clock");
    assertThat(Deadline.after(Duration.ofSeconds(1), clock).clock()).isSameAs(clock);
  }
}
