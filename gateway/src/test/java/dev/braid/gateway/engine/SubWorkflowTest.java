package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import dev.braid.model.FailureCode;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * {@code workflow:} steps on real workers: the callee's input and output, its own namespace of step
 * names and paths, and the caller's cancellation reaching the callee's calls.
 */
class SubWorkflowTest extends EngineTestBase {

  private void callee(String file, String yaml) throws Exception {
    Files.writeString(dir.resolve(file), yaml);
  }

  @Test
  void aCalleeUsedTwiceRunsWithEachInputInItsOwnNamespace() throws Exception {
    callee(
        "greet.yaml",
        """
        input:
          who: string
          punct: { type: string, default: "!" }
        steps:
          a: { call: python:engine_funcs:echo, args: ["hello ${{ input.who }}${{ input.punct }}"] }
        output: { text: "${{ steps.a }}" }
        """);
    JsonNode r =
        run(
            """
            steps:
              a: { call: python:engine_funcs:echo, args: [caller] }
              first: { workflow: greet.yaml, input: { who: "${{ steps.a }}" } }
              second: { workflow: greet, input: { who: ada, punct: "?" } }
            """,
            input());

    assertJson(
        r, "{'a': 'caller', 'first': {'text': 'hello caller!'}, 'second': {'text': 'hello ada?'}}");
    // the callee's step `a` is not the caller's: each call has instances of its own
    assertThat(finished("first/a")).isEqualTo(RunEvent.Status.OK);
    assertThat(finished("second/a")).isEqualTo(RunEvent.Status.OK);
    assertThat(finished("a")).isEqualTo(RunEvent.Status.OK);
  }

  @Test
  void cancellingTheCallerCancelsTheCalleesCallsWithTheReason() throws Exception {
    callee(
        "slow.yaml",
        """
        input: { dir: string }
        steps:
          nap: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 30] }
        """);
    WorkflowRun run =
        start(
            """
            input: { dir: string }
            steps:
              sub: { workflow: slow.yaml, input: { dir: "${{ input.dir }}" } }
            """,
            input());
    awaitMarker("started");

    run.cancel();

    StepFailedException f = failure(run);
    assertThat(f.failure().code()).isEqualTo(FailureCode.CANCELLED);
    assertThat(readMarker("cancelled")).isEqualTo("cancelled");
    assertThat(finished("sub/nap")).isEqualTo(RunEvent.Status.CANCELLED);
  }

  @Test
  void theCallersStepTimeoutBoundsTheCallee() throws Exception {
    callee(
        "slow.yaml",
        """
        input: { dir: string }
        steps:
          nap: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 30] }
        """);
    StepFailedException f =
        runFailing(
            """
            input: { dir: string }
            steps:
              sub: { workflow: slow.yaml, input: { dir: "${{ input.dir }}" }, timeout: 300ms }
            """,
            input());

    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    assertThat(f.failure().message()).contains("step 'sub' timed out after 300ms");
    assertThat(readMarker("cancelled")).isEqualTo("deadline_exceeded");
  }

  @Test
  void anInputGivenAsOneExpressionIsCheckedWhenTheStepRuns() throws Exception {
    callee(
        "typed.yaml",
        """
        input: { n: integer }
        steps:
          a: { call: python:engine_funcs:echo, args: ["${{ input.n }}"] }
        """);
    StepFailedException f =
        runFailing(
            """
            input: { given: object }
            steps:
              sub: { workflow: typed.yaml, input: "${{ input.given }}" }
            """,
            input("given", java.util.Map.of("n", "seven", "extra", 1)));

    assertThat(f.failure().code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(f.failure().type()).isEqualTo("InvalidInput");
    assertThat(f.failure().message())
        .isEqualTo(
            "the input of workflow 'typed.yaml': field 'n' must be an integer, not a string;"
                + " field 'extra' is not declared by the workflow");
  }
}
