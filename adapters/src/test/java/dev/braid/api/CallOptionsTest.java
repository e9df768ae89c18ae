package dev.braid.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CallOptionsTest {
  @Test
  void idempotencyKeyIsBoundedAndPrintable() {
    assertThat(CallOptions.builder().idempotencyKey("run-1/a.b").build().idempotencyKey())
        .isEqualTo("run-1/a.b");
    assertThat(CallOptions.builder().idempotencyKey(null).build().idempotencyKey()).isNull();
    String max = "k".repeat(CallOptions.MAX_IDEMPOTENCY_KEY_LENGTH);
    assertThat(CallOptions.builder().idempotencyKey(max).build().idempotencyKey()).isEqualTo(max);
    assertThatThrownBy(() -> CallOptions.builder().idempotencyKey(max + "k").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("257 chars, over the limit of 256");
    assertThatThrownBy(() -> CallOptions.builder().idempotencyKey("run/a\nb").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("control character (U+000A) at index 5");
    assertThatThrownBy(() -> CallOptions.builder().idempotencyKey("").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void stepKeyIsRunIdSlashPathWhenItFits() {
    assertThat(CallOptions.idempotencyKey("r1", "items[17].charge"))
        .isEqualTo("r1/items[17].charge");
  }

  @Test
  void longOrUnprintableStepKeysAreHashedStablyAndStayValid() {
    String longPath = "p".repeat(300);
    String k = CallOptions.idempotencyKey("r1", longPath);
    assertThat(k)
        .hasSize(CallOptions.MAX_IDEMPOTENCY_KEY_LENGTH)
        .startsWith("r1/ppp")
        .contains("~");
    assertThat(CallOptions.idempotencyKey("r1", longPath)).isEqualTo(k);
    assertThat(CallOptions.idempotencyKey("r1", longPath + "q")).isNotEqualTo(k);
    String odd = CallOptions.idempotencyKey("r1", "sw[\"a\nb\"]");
    assertThat(odd).startsWith("r1/sw[\"a?b\"]~").doesNotContain("\n");
    assertThat(CallOptions.idempotencyKey("r1", "sw[\"a\rb\"]")).isNotEqualTo(odd);
    // each is accepted as a key
    CallOptions.builder().idempotencyKey(k).build();
    CallOptions.builder().idempotencyKey(odd).build();
    String emoji = CallOptions.idempotencyKey("r", "😀".repeat(200));
    assertThat(Character.isHighSurrogate(emoji.charAt(emoji.indexOf('~') - 1))).isFalse();
  }
}
