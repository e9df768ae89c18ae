package dev.braid.gateway.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.model.CancelReason;
import dev.braid.model.Failure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How a failure is shown on one line: the cancel reason once, never twice. */
@Timeout(10)
class TextTest {

  @Test
  void aReasonTheMessageDoesNotSayIsAddedOnce() {
    Failure f = Failure.cancelled(CancelReason.RACE_LOST, "another branch won the race");

    assertThat(Text.headline(f)).isEqualTo("Cancelled: another branch won the race (race_lost)");
  }

  @Test
  void aReasonTheWorkersMessageAlreadySaysIsNotRepeated() {
    Failure f =
        Failure.cancelled(
                CancelReason.RACE_LOST, "python:primary:fetch_quote was cancelled (race_lost)")
            .withLanguage("python");

    assertThat(Text.headline(f))
        .isEqualTo("Cancelled: python:primary:fetch_quote was cancelled (race_lost)");
  }

  @Test
  void aReasonThatIsTheCodeIsNotShown() {
    Failure f = Failure.cancelled(CancelReason.CANCELLED, "the run was cancelled");

    assertThat(Text.headline(f)).isEqualTo("Cancelled: the run was cancelled");
  }
}
