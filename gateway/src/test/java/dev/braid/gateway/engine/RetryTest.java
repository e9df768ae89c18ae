package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.model.FailureCode;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Retry policies (DESIGN §3.9) on a {@link FakeClock}: the waits take no real time but deadlines
 * see them pass. Attempts are counted inside the worker ({@code flaky} counts its calls per tag).
 */
class RetryTest extends EngineTestBase {
  private final FakeClock clock = new FakeClock();

  @Override
  WorkflowEngine createEngine() {
    return new WorkflowEngine(braid, clock, new Random(7));
  }

  /**
   * A workflow of one {@code flaky} call: {@code call} completes its keys, {@code top} the file.
   */
  private static String flaky(String top, String call) {
    return """
        input: { tag: string }
        %s
        steps:
          flaky:
            call: python:engine_funcs:flaky
            %s
        """
        .formatted(top, call.replace("\n", "\n    "));
  }

  private int calls() throws Exception {
    return state().get("calls").asInt();
  }

  @Test
  void failedAttemptsAreRetriedUntilOneSucceeds() throws Exception {
    JsonNode r =
        run(
            flaky(
                "",
                """
                args: ["${{ input.tag }}", 2]
                retry: { max_attempts: 3, jitter: none }"""),
            input());

    assertJson(r, "{'flaky': 3}");
    assertThat(calls()).isEqualTo(3);
  }

  @Test
  void theWorkerSeesTheAttemptNumberOfEachTry() throws Exception {
    JsonNode r =
        run(
            """
            input: { tag: string }
            steps:
              seen:
                call: python:engine_funcs:seen_attempt
                args: ["${{ input.tag }}", 2]
                retry: { max_attempts: 3, jitter: none }
            """,
            input());

    assertJson(r, "{'seen': 3}");
  }

  @Test
  void aCallWithoutRetryIsAttemptedOnce() throws Exception {
    runFailing(flaky("", "args: [\"${{ input.tag }}\", 1]"), input());

    assertThat(calls()).isEqualTo(1);
  }

  @Test
  void aStepsRetryIsMergedOverTheDefaultsKeyByKey() throws Exception {
    // max_attempts from the step; the waits from defaults.retry
    runFailing(
        flaky(
            """
            defaults:
              retry: { max_attempts: 5, initial_interval: 1s, backoff: 1, max_interval: 1s, jitter: none }""",
            """
            args: ["${{ input.tag }}", 10]
            retry: { max_attempts: 3 }"""),
        input());

    assertThat(calls()).isEqualTo(3);
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  @Test
  void maxAttemptsCountsEveryAttemptTheFirstIncluded() throws Exception {
    StepFailedException f =
        runFailing(
            flaky(
                "",
                """
                args: ["${{ input.tag }}", 10]
                retry: { max_attempts: 3, jitter: none }"""),
            input());

    assertThat(f.failure().message()).isEqualTo("failure 3");
    assertThat(calls()).isEqualTo(3);
  }

  @Test
  void waitsGrowByTheBackoffUpToMaxInterval() throws Exception {
    runFailing(
        flaky(
            "",
            """
            args: ["${{ input.tag }}", 10]
            retry: { max_attempts: 5, initial_interval: 100ms, backoff: 3, max_interval: 500ms, jitter: none }"""),
        input());

    List<Duration> expected =
        List.of(
            Duration.ofMillis(100),
            Duration.ofMillis(300),
            Duration.ofMillis(500),
            Duration.ofMillis(500));
    assertThat(clock.sleeps()).isEqualTo(expected);
    assertThat(
            events.stream()
                .filter(e -> e.type() == RunEvent.Type.RETRY_SCHEDULED)
                .map(RunEvent::retryWait)
                .toList())
        .isEqualTo(expected);
    assertThat(calls()).isEqualTo(5);
  }

  @Test
  void fullJitterWaitsBetweenZeroAndTheComputedWait() throws Exception {
    runFailing(
        flaky(
            "",
            """
            args: ["${{ input.tag }}", 10]
            retry: { max_attempts: 8, initial_interval: 100ms, backoff: 2, max_interval: 1s, jitter: full }"""),
        input());

    List<Long> computed = List.of(100L, 200L, 400L, 800L, 1000L, 1000L, 1000L);
    List<Duration> sleeps = clock.sleeps();
    assertThat(sleeps).hasSize(computed.size());
    for (int i = 0; i < sleeps.size(); i++) {
      assertThat(sleeps.get(i))
          .as("wait %d", i + 1)
          .isBetween(Duration.ZERO, Duration.ofMillis(computed.get(i)));
    }
    assertThat(sleeps)
        .as("jittered, not the computed waits")
        .isNotEqualTo(computed.stream().map(Duration::ofMillis).toList());
  }

  @Test
  void aCancelledAttemptIsNotRetried() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { tag: string }
            steps:
              gives_up:
                call: python:engine_funcs:cancel_itself
                args: ["${{ input.tag }}"]
                retry: { max_attempts: 5, jitter: none }
            """,
            input());

    assertThat(f.failure().code()).isEqualTo(FailureCode.CANCELLED);
    assertThat(calls()).isEqualTo(1);
    assertThat(clock.sleeps()).isEmpty();
  }

  @Test
  void nonRetryableTypesAreNotRetried() throws Exception {
    runFailing(
        flaky(
            "",
            """
            args: ["${{ input.tag }}", 10, KeyError]
            retry: { max_attempts: 5, jitter: none, non_retryable: [KeyError] }"""),
        input());

    assertThat(calls()).isEqualTo(1);
  }

  @Test
  void nonRetryableCodesAreNotRetried() throws Exception {
    runFailing(
        flaky(
            "",
            """
            args: ["${{ input.tag }}", 10]
            with: { code: UNAVAILABLE }
            retry: { max_attempts: 5, jitter: none, non_retryable: [UNAVAILABLE] }"""),
        input());

    assertThat(calls()).isEqualTo(1);
  }

  @Test
  void retryOnRetriesOnlyTheListedTypes() throws Exception {
    runFailing(
        flaky(
            "",
            """
            args: ["${{ input.tag }}", 10, ValueError]
            retry: { max_attempts: 5, jitter: none, retry_on: [KeyError] }"""),
        input());

    assertThat(calls()).isEqualTo(1);
  }

  @Test
  void retryOnRetriesAListedType() throws Exception {
    runFailing(
        flaky(
            "",
            """
            args: ["${{ input.tag }}", 10, KeyError]
            retry: { max_attempts: 4, jitter: none, retry_on: [KeyError] }"""),
        input());

    assertThat(calls()).isEqualTo(4);
  }

  @Test
  void retryOnRetriesAListedCode() throws Exception {
    runFailing(
        flaky(
            "",
            """
            args: ["${{ input.tag }}", 10]
            with: { code: UNAVAILABLE }
            retry: { max_attempts: 4, jitter: none, retry_on: [UNAVAILABLE] }"""),
        input());

    assertThat(calls()).isEqualTo(4);
  }

  @Test
  void invalidArgumentIsNotRetried() throws Exception {
    StepFailedException f =
        runFailing(
            flaky(
                "",
                """
                args: ["${{ input.tag }}", 10]
                with: { code: INVALID_ARGUMENT }
                retry: { max_attempts: 5, jitter: none }"""),
            input());

    assertThat(f.failure().code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(calls()).isEqualTo(1);
  }

  @Test
  void noAttemptStartsThatTheTotalTimeoutCannotFit() throws Exception {
    // attempt 1 at 0s; wait 4s (fits in 10s); attempt 2 at 4s; the next wait, 8s, would end at
    // 12s, past the 10s total_timeout: the step fails with attempt 2's failure, after 2 attempts
    StepFailedException f =
        runFailing(
            flaky(
                "",
                """
                args: ["${{ input.tag }}", 10]
                total_timeout: 10s
                retry: { max_attempts: 10, initial_interval: 4s, backoff: 2, max_interval: 1m, jitter: none }"""),
            input());

    assertThat(calls()).isEqualTo(2);
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(4));
    assertThat(f.failure().message()).isEqualTo("failure 2");
  }

  @Test
  void theRunTimeoutAlsoLimitsRetries() throws Exception {
    // the same arithmetic under the run's deadline: waits of 2s and 4s fit in 10s (attempts at
    // 0s, 2s, 6s), the next, 8s, does not
    runFailing(
        flaky(
            "timeout: 10s",
            """
            args: ["${{ input.tag }}", 10]
            retry: { max_attempts: 10, initial_interval: 2s, backoff: 2, max_interval: 1m, jitter: none }"""),
        input());

    assertThat(calls()).isEqualTo(3);
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4));
  }
}
