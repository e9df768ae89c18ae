package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Collections;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Circuit breakers (DESIGN §3.9): consecutive failures open the circuit, calls then fail fast
 * without reaching the function (counted inside the worker), and after {@code reset_timeout} — on a
 * {@link FakeClock} moved forward — one probe call decides. Each test has its own engine, so its
 * own breakers.
 */
class CircuitBreakerTest extends EngineTestBase {
  private final FakeClock clock = new FakeClock();

  @Override
  WorkflowEngine createEngine() {
    return new WorkflowEngine(braid, clock, new Random(7));
  }

  /** {@code flaky} once per item, one after the other, every outcome kept. */
  private JsonNode calls(int items, int failures) throws Exception {
    return run(
            """
            input: { tag: string, items: array, failures: integer }
            steps:
              each:
                for_each: "${{ input.items }}"
                mode: settled
                do:
                  call: python:engine_funcs:flaky
                  args: ["${{ input.tag }}", "${{ input.failures }}"]
                  circuit_breaker: { failure_threshold: 3, reset_timeout: 30s }
            """,
            input("items", Collections.nCopies(items, 0), "failures", failures))
        .get("each");
  }

  private int invocations() throws Exception {
    return state().get("calls").asInt();
  }

  @Test
  void afterThresholdFailuresCallsFailFastWithoutReachingTheFunction() throws Exception {
    JsonNode outcomes = calls(5, 100);

    for (int i = 0; i < 3; i++) {
      assertThat(outcomes.get(i).get("error").get("type").asText()).isEqualTo("ValueError");
    }
    for (int i = 3; i < 5; i++) {
      JsonNode error = outcomes.get(i).get("error");
      assertThat(error.get("code").asText()).isEqualTo("UNAVAILABLE");
      assertThat(error.get("type").asText()).isEqualTo("CircuitOpen");
      assertThat(error.get("message").asText()).contains("circuit open");
    }
    assertThat(invocations()).isEqualTo(3);
  }

  @Test
  void theCircuitStaysOpenUntilTheResetTimeout() throws Exception {
    calls(3, 100);
    clock.advance(Duration.ofSeconds(29));

    JsonNode outcomes = calls(2, 100);

    assertThat(outcomes.get(0).get("error").get("type").asText()).isEqualTo("CircuitOpen");
    assertThat(outcomes.get(1).get("error").get("type").asText()).isEqualTo("CircuitOpen");
    assertThat(invocations()).isEqualTo(3);
  }

  @Test
  void afterTheResetTimeoutOneProbeGoesThroughAndAFailedProbeReopens() throws Exception {
    calls(3, 100);
    clock.advance(Duration.ofSeconds(30));

    JsonNode outcomes = calls(3, 100);

    assertThat(outcomes.get(0).get("error").get("type").asText()).isEqualTo("ValueError");
    assertThat(outcomes.get(1).get("error").get("type").asText()).isEqualTo("CircuitOpen");
    assertThat(outcomes.get(2).get("error").get("type").asText()).isEqualTo("CircuitOpen");
    assertThat(invocations()).isEqualTo(4);
  }

  @Test
  void aSuccessfulProbeClosesTheCircuit() throws Exception {
    calls(3, 3);
    clock.advance(Duration.ofSeconds(30));

    JsonNode outcomes = calls(3, 3);

    assertJson(
        outcomes,
        "[{'status': 'ok', 'value': 4}, {'status': 'ok', 'value': 5},"
            + " {'status': 'ok', 'value': 6}]");
    assertThat(invocations()).isEqualTo(6);
  }
}
