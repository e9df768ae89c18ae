package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadlineTest {
  private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - 1_000_000_000L);

  @Test
  void remainingFollowsTheInjectedClockEvenAcrossNanoTimeWrapAround() {
    Deadline d = Deadline.after(Duration.ofSeconds(2), now::get);
    now.addAndGet(1_500_000_000L); // wraps past Long.MAX_VALUE
    assertThat(d.remaining()).isEqualTo(Duration.ofMillis(500));
    assertThat(d.isExpired()).isFalse();
    now.addAndGet(600_000_000L);
    assertThat(d.isExpired()).isTrue();
  }

  @Test
  void wireMillisRoundUpSoAnAlmostExpiredDeadlineIsNotSentAsNoDeadline() {
    Deadline d = Deadline.after(Duration.ofNanos(300_000), now::get);
    assertThat(d.remainingMillisForWire()).isEqualTo(1);
    now.addAndGet(300_000);
    assertThat(d.remainingMillisForWire()).isZero();
  }

  @Test
  void earliestTreatsNullAsNoDeadline() {
    Deadline a = Deadline.after(Duration.ofSeconds(1), now::get);
    Deadline b = Deadline.after(Duration.ofSeconds(2), now::get);
    assertThat(Deadline.earliest(a, b)).isSameAs(a);
    assertThat(Deadline.earliest(b, a)).isSameAs(a);
    assertThat(Deadline.earliest(null, b)).isSameAs(b);
    assertThat(Deadline.earliest(a, null)).isSameAs(a);
  }

  @Test
  void negativeTimeoutIsRejected() {
    assertThatThrownBy(() -> Deadline.after(Duration.ofMillis(-1)))
        .hasMessageContaining("timeout < 0");
  }
}
