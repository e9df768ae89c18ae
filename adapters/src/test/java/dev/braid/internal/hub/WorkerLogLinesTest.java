package dev.braid.internal.hub;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A worker's log text reaches the gateway's log bounded and on one line. */
class WorkerLogLinesTest {
  @Test
  void controlCharactersAreEscapedSoNoLineCanBeForged() {
    assertThat(WorkerConnection.printable("ok\n12:00 INFO forged\u001b[2J", 100))
        .isEqualTo("ok\\u000a12:00 INFO forged\\u001b[2J")
        .doesNotContain("\n");
  }

  @Test
  void longTextIsCutAndSaysHowLongItWas() {
    String s = WorkerConnection.printable("x".repeat(10_000), 50);
    assertThat(s).startsWith("x".repeat(50)).endsWith("... (10000 chars)").hasSize(50 + 17);
    assertThat(WorkerConnection.printable("short", 50)).isEqualTo("short");
  }
}
