package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesEveryUnit() {
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("20us")).isEqualTo(Duration.ofNanos(20_000));
  }

  @Test
  void rejectsWithASentenceShowingTheAcceptedForms() {
    assertThatThrownBy(() -> Durations.parse("5 seconds"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid duration '5 seconds'")
        .hasMessageContaining("250ms");
    assertThatThrownBy(() -> Durations.parse("10")).hasMessageContaining("unit");
  }
}
