package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.model.FailureCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code retry:} on a step that holds other steps: the whole step runs again per attempt under the
 * call's retry rules, each attempt's steps named apart ({@code #N}).
 */
class BlockRetryTest extends EngineTestBase {

  @Test
  void aParallelRunsAgainWholeUntilItSucceeds() throws Exception {
    JsonNode r =
        run(
            """
            input: { tag: string }
            steps:
              fan:
                retry: { max_attempts: 3, initial_interval: 10ms, jitter: none }
                parallel:
                  branches:
                    a: { call: python:engine_funcs:flaky, args: ["${{ input.tag }}", 2] }
                    b: { call: python:engine_funcs:echo, args: [b] }
            """,
            input());

    assertJson(r, "{'fan': {'a': 3, 'b': 'b'}}");
    assertThat(attempts("fan")).containsExactly(1, 2, 3);
    // each attempt's steps have names of their own: a resumed run replays only its own attempt
    assertThat(started("fan.a")).isTrue();
    assertThat(started("fan.a#2")).isTrue();
    assertThat(started("fan.a#3")).isTrue();
    assertThat(started("fan.b#3")).isTrue();
  }

  @Test
  void aTryWithoutCatchIsRetriedAndItsFinallyRunsPerAttempt() throws Exception {
    JsonNode r =
        run(
            """
            input: { tag: string }
            steps:
              guarded:
                retry: { max_attempts: 2, initial_interval: 10ms }
                try:
                  steps:
                    work: { call: python:engine_funcs:flaky, args: ["${{ input.tag }}", 1] }
                  output: "${{ steps.work }}"
                finally:
                  steps:
                    note: { call: python:engine_funcs:logged, args: ["${{ input.tag }}", finally] }
            """,
            input());

    assertJson(r, "{'guarded': 2}");
    assertThat(state().get("log")).hasSize(2);
  }

  @Test
  void aNonRetryableFailureEndsTheRetriesAtOnce() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { tag: string }
            steps:
              each:
                retry: { max_attempts: 5, initial_interval: 10ms, non_retryable: [KeyError] }
                for_each: [1, 2]
                do: { call: python:engine_funcs:flaky, args: ["${{ input.tag }}", 9, KeyError] }
            """,
            input());

    assertThat(f.failure().type()).isEqualTo("KeyError");
    assertThat(f.failure().code()).isEqualTo(FailureCode.APPLICATION);
    assertThat(attempts("each")).containsExactly(1);
  }

  private List<Integer> attempts(String step) {
    return events.stream()
        .filter(e -> e.type() == RunEvent.Type.ATTEMPT_STARTED && step.equals(e.step()))
        .map(RunEvent::attempt)
        .toList();
  }
}
