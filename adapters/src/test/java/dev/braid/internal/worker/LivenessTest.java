package dev.braid.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The liveness rule on a clock the test drives: only on-time silence counts against a worker. */
class LivenessTest {
  private static final long MS = 1_000_000L;
  private static final Duration INTERVAL = Duration.ofMillis(200);
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  @Test
  void workerSilentWhileThePingerRunsOnTimeIsHung() {
    Liveness l = new Liveness(INTERVAL, TIMEOUT, 0);
    long now = 0;
    for (int i = 0; i < 6; i++) {
      now += 200 * MS;
      assertThat(l.tick(now)).isTrue();
    }
    // no pong since the start: 1.2 s of on-time silence
    assertThat(l.hung(now, now)).isTrue();
    assertThat(l.stalls()).isZero();
  }

  @Test
  void gatewayStallLongerThanTheTimeoutBlamesNoWorker() {
    Liveness l = new Liveness(INTERVAL, TIMEOUT, 0);
    long now = 200 * MS;
    assertThat(l.tick(now)).isTrue();
    // the pinger itself was held up for 3 s (a GC pause): the last pong is 3.2 s old
    now += 3_000 * MS;
    assertThat(l.tick(now)).isFalse();
    assertThat(l.hung(now, now)).isFalse();
    assertThat(l.stalls()).isEqualTo(1);
    assertThat(l.lastStallNanos()).isEqualTo(2_800 * MS);
    // a worker that answers after the stall is fine for good
    now += 200 * MS;
    assertThat(l.tick(now)).isTrue();
    assertThat(l.hung(100 * MS, now)).isFalse();
  }

  @Test
  void workerStillSilentAWholeWindowAfterTheStallIsHung() {
    Liveness l = new Liveness(INTERVAL, TIMEOUT, 0);
    long now = 3_000 * MS;
    assertThat(l.tick(now)).isFalse();
    for (int i = 0; i < 5; i++) {
      now += 200 * MS;
      assertThat(l.tick(now)).isTrue();
      assertThat(l.hung(now, now)).isFalse();
    }
    now += 200 * MS;
    assertThat(l.tick(now)).isTrue();
    assertThat(l.hung(now, now)).isTrue();
  }

  @Test
  void smallTimerJitterDoesNotRestartTheWindow() {
    Liveness l = new Liveness(INTERVAL, TIMEOUT, 0);
    long now = 0;
    for (int i = 0; i < 6; i++) {
      now += 350 * MS; // 150 ms late each time: a loaded machine, not a stall
      assertThat(l.tick(now)).isTrue();
    }
    assertThat(l.hung(now, now)).isTrue();
  }

  @Test
  void rejectsNonPositiveDurations() {
    assertThatThrownBy(() -> new Liveness(Duration.ZERO, TIMEOUT, 0))
        .hasMessageContaining("interval <= 0");
    assertThatThrownBy(() -> new Liveness(INTERVAL, Duration.ofMillis(-1), 0))
        .hasMessageContaining("timeout <= 0");
  }
}
