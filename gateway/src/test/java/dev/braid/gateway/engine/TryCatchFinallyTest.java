package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import dev.braid.model.FailureCode;
import org.junit.jupiter.api.Test;

/**
 * {@code try}/{@code catch}/{@code finally}: what {@code catch} sees, that {@code finally} runs
 * however the body ended — success, failure, cancel, timeout — and that the handlers are shielded
 * yet bounded by their own timeouts.
 */
class TryCatchFinallyTest extends EngineTestBase {

  @Test
  void catchGetsTheFailureRecordAndGivesTheResult() throws Exception {
    JsonNode r =
        run(
            """
            steps:
              guarded:
                try:
                  steps:
                    boom: { call: python:engine_funcs:fail, args: [kaput] }
                catch:
                  steps:
                    seen: { call: python:engine_funcs:echo, args: ["${{ error.language }}"] }
                  output:
                    code: "${{ error.code }}"
                    type: "${{ error.type }}"
                    message: "${{ error.message }}"
                    language: "${{ steps.seen }}"
            """,
            input());

    assertJson(
        r,
        "{'guarded': {'code': 'APPLICATION', 'type': 'ValueError', 'message': 'kaput',"
            + " 'language': 'python'}}");
  }

  @Test
  void finallyRunsAfterSuccessAndTheResultIsTheBody() throws Exception {
    JsonNode r =
        run(
            """
            input: { dir: string }
            steps:
              guarded:
                try:
                  steps:
                    body: { call: python:engine_funcs:echo, args: [1] }
                  output: "${{ steps.body }}"
                finally:
                  steps:
                    cleanup: { call: python:engine_funcs:mark, args: ["${{ input.dir }}", finally-ran, ignored] }
            """,
            input());

    assertJson(r, "{'guarded': 1}");
    assertThat(marker("finally-ran")).exists();
  }

  @Test
  void finallyRunsAfterFailureAndTheFailureStands() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { dir: string }
            steps:
              guarded:
                try:
                  steps:
                    boom: { call: python:engine_funcs:fail, args: [kaput] }
                finally:
                  steps:
                    cleanup: { call: python:engine_funcs:mark, args: ["${{ input.dir }}", finally-ran] }
            """,
            input());

    assertThat(f.step()).isEqualTo("boom");
    assertThat(f.failure().message()).isEqualTo("kaput");
    // the run ends only after its finally blocks: no waiting needed
    assertThat(marker("finally-ran")).exists();
  }

  @Test
  void finallyRunsWhenTheRunIsCancelled() throws Exception {
    WorkflowRun run =
        start(
            """
            input: { dir: string }
            steps:
              guarded:
                try:
                  steps:
                    slow: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60] }
                finally:
                  steps:
                    cleanup: { call: python:engine_funcs:mark, args: ["${{ input.dir }}", finally-ran] }
            """,
            input());
    awaitMarker("started");

    run.cancel();

    StepFailedException f = failure(run);
    assertThat(f.isCancellation()).isTrue();
    assertThat(marker("finally-ran")).exists();
    assertThat(readMarker("cancelled")).isEqualTo("cancelled");
  }

  @Test
  void finallyRunsWhenTheTryStepTimesOut() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { dir: string }
            steps:
              guarded:
                timeout: 500ms
                try:
                  steps:
                    slow: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60] }
                finally:
                  steps:
                    cleanup: { call: python:engine_funcs:mark, args: ["${{ input.dir }}", finally-ran] }
            """,
            input());

    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    assertThat(f.step()).isEqualTo("guarded");
    assertThat(f.failure().message()).isEqualTo("step 'guarded' timed out after 500ms");
    assertThat(marker("finally-ran")).exists();
    assertThat(readMarker("cancelled")).isEqualTo("deadline_exceeded");
  }

  @Test
  void aCatchHandlesTheTryStepsOwnTimeout() throws Exception {
    JsonNode result =
        run(
            """
            input: { dir: string }
            steps:
              guarded:
                timeout: 500ms
                try:
                  steps:
                    slow: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60] }
                catch:
                  steps:
                    noted: { call: python:engine_funcs:mark, args: ["${{ input.dir }}", caught] }
                  output: "${{ error.code }}"
            """,
            input());

    assertThat(result.get("guarded").asText()).isEqualTo("DEADLINE_EXCEEDED");
    assertThat(readMarker("cancelled")).isEqualTo("deadline_exceeded");
    assertThat(marker("caught")).exists();
  }

  @Test
  void aCatchAfterAnOutsideCancelRunsButTheStepStaysCancelled() throws Exception {
    WorkflowRun run =
        start(
            """
            input: { dir: string }
            steps:
              guarded:
                try:
                  steps:
                    slow: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60] }
                catch:
                  steps:
                    rollback: { call: python:engine_funcs:mark, args: ["${{ input.dir }}", caught] }
                  output: recovered
              after: { call: python:engine_funcs:mark, args: ["${{ input.dir }}", after-ran, "${{ steps.guarded }}"] }
            """,
            input());
    awaitMarker("started");

    run.cancel();

    StepFailedException f = failure(run);
    assertThat(f.isCancellation()).isTrue();
    assertThat(marker("caught")).exists();
    assertThat(finished("guarded")).isEqualTo(Status.CANCELLED);
    assertThat(started("after")).isFalse();
    assertThat(marker("after-ran")).doesNotExist();
  }

  @Test
  void finallyIsBoundedByItsOwnTimeout() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { dir: string }
            steps:
              guarded:
                try:
                  steps:
                    body: { call: python:engine_funcs:echo, args: [1] }
                finally:
                  steps:
                    stuck: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60, fin-] }
                  timeout: 500ms
            """,
            input());

    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    assertThat(readMarker("fin-cancelled")).isEqualTo("deadline_exceeded");
  }
}
