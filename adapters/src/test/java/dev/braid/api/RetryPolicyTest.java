package dev.braid.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  @Test
  void builderStartsFromTheWorkflowDefaults() {
    RetryPolicy p = RetryPolicy.builder().build();
    assertThat(p.maxAttempts()).isEqualTo(3);
    assertThat(p.initialInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(p.backoff()).isEqualTo(2.0);
    assertThat(p.maxInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.jitter()).isTrue();
    assertThat(p.retryOn()).isEmpty();
    assertThat(p.nonRetryable()).isEmpty();
  }

  @Test
  void nonsenseIsRefusedWithTheBadValueNamed() {
    assertThatThrownBy(() -> RetryPolicy.attempts(0)).hasMessage("maxAttempts < 1: 0");
    assertThatThrownBy(() -> RetryPolicy.builder().backoff(0.5).build())
        .hasMessage("backoff must be finite and >= 1: 0.5");
    assertThatThrownBy(() -> RetryPolicy.builder().backoff(Double.NaN).build())
        .hasMessageContaining("NaN");
    assertThatThrownBy(() -> RetryPolicy.builder().initialInterval(Duration.ofMillis(-1)).build())
        .hasMessage("initialInterval < 0: PT-0.001S");
    assertThatThrownBy(() -> RetryPolicy.builder().retryOn(List.of("")).build())
        .hasMessage("retryOn holds an empty name");
  }

  @Test
  void namesAreCopiedSoTheRecordStaysImmutable() {
    List<String> names = new ArrayList<>(List.of("ValueError"));
    RetryPolicy p = RetryPolicy.builder().retryOn(names).build();
    names.add("KeyError");
    assertThat(p.retryOn()).containsExactly("ValueError");
  }

  @Test
  void circuitBreakerPolicyIsValidated() {
    CircuitBreakerPolicy p = CircuitBreakerPolicy.builder().build();
    assertThat(p.failureThreshold()).isEqualTo(5);
    assertThat(p.resetTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> CircuitBreakerPolicy.builder().failureThreshold(0).build())
        .hasMessage("failureThreshold < 1: 0");
  }

  @Test
  void callOptionsCarryThePolicies() {
    RetryPolicy r = RetryPolicy.attempts(4);
    CircuitBreakerPolicy cb = CircuitBreakerPolicy.builder().failureThreshold(2).build();
    CallOptions o = CallOptions.builder().retry(r).circuitBreaker(cb).build();
    assertThat(o.retry()).isEqualTo(r);
    assertThat(o.circuitBreaker()).isEqualTo(cb);
    assertThat(o.toBuilder().build()).isEqualTo(o);
    assertThat(CallOptions.DEFAULT.retry()).isNull();
  }
}
