package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualClockTest {
  @Test
  void tasksRunInTimeOrderOnlyWhenTimeReachesThem() {
    ManualClock clock = new ManualClock();
    List<String> ran = new ArrayList<>();
    clock.schedule(Duration.ofMillis(30), () -> ran.add("30"));
    clock.schedule(Duration.ofMillis(10), () -> ran.add("10"));
    clock.schedule(Duration.ofMillis(10), () -> ran.add("10b"));
    clock.advance(Duration.ofMillis(9));
    assertThat(ran).isEmpty();
    clock.advance(Duration.ofMillis(1));
    assertThat(ran).containsExactly("10", "10b");
    clock.advance(Duration.ofMillis(100));
    assertThat(ran).containsExactly("10", "10b", "30");
    assertThat(clock.pending()).isZero();
  }

  @Test
  void aCancelledTaskNeverRunsAndCancelSaysWhetherItStoppedIt() {
    ManualClock clock = new ManualClock();
    List<String> ran = new ArrayList<>();
    Clock.Timer t = clock.schedule(Duration.ofMillis(5), () -> ran.add("x"));
    assertThat(t.cancel()).isTrue();
    assertThat(t.cancel()).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(ran).isEmpty();
  }

  @Test
  void aTaskSeesTheTimeItWasDueAndCanScheduleMoreWithinTheSameAdvance() {
    ManualClock clock = new ManualClock();
    long start = clock.nanoTime();
    List<Long> seen = new ArrayList<>();
    clock.schedule(
        Duration.ofMillis(10),
        () -> {
          seen.add(clock.nanoTime() - start);
          clock.schedule(Duration.ofMillis(10), () -> seen.add(clock.nanoTime() - start));
        });
    clock.advance(Duration.ofMillis(25));
    assertThat(seen).containsExactly(10_000_000L, 20_000_000L);
    assertThat(clock.nanoTime() - start).isEqualTo(25_000_000L);
  }
}
