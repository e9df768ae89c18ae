package dev.braid.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.api.BraidConfig;
import dev.braid.proto.worker.v1.Welcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the gateway tells each worker in Welcome. */
class WelcomeFramesTest {
  @Test
  void theShutdownWaitsDefaultToTheWorkersFormerConstants() {
    Welcome w = WelcomeFrames.of(BraidConfig.builder().build());
    assertThat(w.getCancelGraceMs()).isEqualTo(1000);
    assertThat(w.getLostGraceMs()).isEqualTo(500);
    assertThat(w.getCloseWaitMs()).isEqualTo(1000);
    assertThat(w.getGraceMs()).isEqualTo(2000);
    assertThat(w.getMaxPayloadBytes()).isEqualTo(16 << 20);
  }

  @Test
  void configuredWaitsAreSent() {
    Welcome w =
        WelcomeFrames.of(
            BraidConfig.builder()
                .workerCancelGrace(Duration.ofSeconds(7))
                .workerLostGrace(Duration.ofMillis(1500))
                .workerCloseWait(Duration.ofMillis(250))
                .build());
    assertThat(w.getCancelGraceMs()).isEqualTo(7000);
    assertThat(w.getLostGraceMs()).isEqualTo(1500);
    assertThat(w.getCloseWaitMs()).isEqualTo(250);
  }

  @Test
  void aWaitThatTheWireWouldReadAsUnsetIsRefused() {
    // 0 ms on the wire means "the worker's fallback": refused rather than silently replaced
    assertThatThrownBy(() -> BraidConfig.builder().workerCancelGrace(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("workerCancelGrace not within 1 ms and 24 days: PT0S");
    assertThatThrownBy(() -> BraidConfig.builder().workerCloseWait(Duration.ofDays(30)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("workerCloseWait not within");
  }
}
