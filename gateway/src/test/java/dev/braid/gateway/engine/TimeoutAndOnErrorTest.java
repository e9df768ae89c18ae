package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import dev.braid.model.FailureCode;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Deadlines — a call's per-attempt {@code timeout}, the run's {@code timeout} — as the cancelled
 * functions observe them, and {@code on_error}, which turns failures but not cancellations into
 * values.
 */
class TimeoutAndOnErrorTest extends EngineTestBase {

  @Test
  void anAttemptTimeoutCancelsTheCalleeAndFailsDeadlineExceeded() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { dir: string }
            steps:
              slow:
                call: python:engine_funcs:sleep_marked
                args: ["${{ input.dir }}", 60]
                timeout: 500ms
            """,
            input());

    assertThat(f.step()).isEqualTo("slow");
    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    // the gateway's cancel carries the reason; the worker's own copy of the deadline may win
    // the race, and then asyncio cancels the task without one
    assertThat(readMarker("cancelled")).isIn("deadline_exceeded", "");
  }

  @Test
  void eachAttemptHasItsOwnTimeout() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { dir: string, tag: string }
            steps:
              slow:
                call: python:engine_funcs:counted_sleep
                args: ["${{ input.tag }}", "${{ input.dir }}", 60]
                timeout: 500ms
                retry: { max_attempts: 3, initial_interval: 10ms, jitter: none }
            """,
            input());

    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    assertThat(state().get("calls").asInt()).isEqualTo(3);
    for (int i = 1; i <= 3; i++) {
      assertThat(readMarker("cancelled-" + i)).isIn("deadline_exceeded", "");
    }
  }

  @Test
  void totalTimeoutStopsTheRunningAttemptAndTheRetries() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { dir: string, tag: string }
            steps:
              slow:
                call: python:engine_funcs:counted_sleep
                args: ["${{ input.tag }}", "${{ input.dir }}", 60]
                total_timeout: 500ms
                retry: { max_attempts: 5, initial_interval: 10ms, jitter: none }
            """,
            input());

    assertThat(f.step()).isEqualTo("slow");
    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    assertThat(f.failure().message()).contains("(total_timeout 500ms)");
    assertThat(readMarker("cancelled-1")).isEqualTo("deadline_exceeded");
    assertThat(state().get("calls").asInt()).isEqualTo(1);
  }

  @Test
  void theRunTimeoutFailsTheRunAndCancelsEveryRunningCall() throws Exception {
    WorkflowRun run =
        start(
            """
            input: { dir: string }
            timeout: 3s
            steps:
              a: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60, a-] }
              b: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60, b-] }
              c: { call: "node:engine_funcs.mjs#sleep_marked", args: ["${{ input.dir }}", 60, c-] }
            """,
            input());

    StepFailedException f = failure(run);

    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    assertThat(f.step()).isNull();
    assertThat(f.failure().message()).isEqualTo("the run's timeout 3s expired");
    assertThat(readMarker("a-cancelled")).isIn("deadline_exceeded", "");
    assertThat(readMarker("b-cancelled")).isIn("deadline_exceeded", "");
    assertThat(readMarker("c-cancelled")).isIn("deadline_exceeded", "");
  }

  @Test
  void whicheverTimerFiresFirstAnExpiredRunDeadlineIsTheRunsTimeout() throws Exception {
    // The run's deadline is enforced by the engine's timer, by each call's own timer and by the
    // workers. Here the run's 10s pass in virtual time, so the engine's timer is still far off
    // when a's attempt timeout fails the call: that failure must still end the run as the run's
    // timeout, with the other calls cancelled for it (not for a sibling's failure).
    FakeClock clock = new FakeClock();
    try (WorkflowEngine virtual = new WorkflowEngine(braid, clock, new Random(7))) {
      WorkflowRun run =
          start(
              virtual,
              """
              input: { dir: string }
              timeout: 10s
              steps:
                a: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60, a-], timeout: 2s }
                b: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60, b-] }
              """,
              input());
      awaitMarker("a-started");
      awaitMarker("b-started");

      clock.advance(Duration.ofSeconds(20));

      StepFailedException f = failure(run);
      assertThat(f.step()).isNull();
      assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
      assertThat(f.failure().message()).isEqualTo("the run's timeout 10s expired");
      assertThat(readMarker("b-cancelled")).isEqualTo("deadline_exceeded");
    }
  }

  @Test
  void onErrorGivesItsValueWithTheFailureRecord() throws Exception {
    JsonNode r =
        run(
            """
            steps:
              risky:
                call: python:engine_funcs:fail
                args: [boom]
                on_error:
                  value: { fallback: true, code: "${{ error.code }}", why: "failed: ${{ error.message }}" }
              after: { call: python:engine_funcs:echo, args: ["${{ steps.risky.why }}"] }
            """,
            input());

    assertJson(
        r,
        "{'risky': {'fallback': true, 'code': 'APPLICATION', 'why': 'failed: boom'},"
            + " 'after': 'failed: boom'}");
    assertThat(finished("risky")).isEqualTo(Status.OK);
  }

  @Test
  void onErrorAlsoReplacesATimeout() throws Exception {
    JsonNode r =
        run(
            """
            input: { dir: string }
            steps:
              slow:
                call: python:engine_funcs:sleep_marked
                args: ["${{ input.dir }}", 60]
                timeout: 200ms
                on_error: { value: "${{ error.code }}" }
            """,
            input());

    assertJson(r, "{'slow': 'DEADLINE_EXCEEDED'}");
    // the attempt was cancelled, not just forgotten (and its last marker is written before the
    // test's folder goes)
    assertThat(readMarker("cancelled")).isEqualTo("deadline_exceeded");
    awaitMarker("finally");
  }

  @Test
  void aCancelledStepIsNotTurnedIntoAValueByOnError() throws Exception {
    WorkflowRun run =
        start(
            """
            input: { dir: string }
            steps:
              slow:
                call: python:engine_funcs:sleep_marked
                args: ["${{ input.dir }}", 60]
                on_error: { value: fallback }
              after: { call: python:engine_funcs:mark, args: ["${{ input.dir }}", after-ran, "${{ steps.slow }}"] }
            """,
            input());
    awaitMarker("started");

    run.cancel();

    StepFailedException f = failure(run);
    assertThat(f.isCancellation()).isTrue();
    assertThat(finished("slow")).isEqualTo(Status.CANCELLED);
    assertThat(started("after")).isFalse();
    assertThat(readMarker("cancelled")).isEqualTo("cancelled");
  }
}
