package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.RunEvent.Status;
import org.junit.jupiter.api.Test;

/** {@code if} and {@code switch}: which step runs, and what a skipped or unmatched step gives. */
class IfSwitchTest extends EngineTestBase {
  private static final String IF =
      """
      input: { flag: boolean }
      steps:
        maybe: { if: "${{ input.flag }}", call: python:engine_funcs:echo, args: [1] }
        after: { call: python:engine_funcs:echo, args: ["${{ default(steps.maybe, 'skipped') }}"] }
      """;

  private static final String SWITCH =
      """
      input: { tier: string }
      steps:
        shipping:
          switch: "${{ input.tier }}"
          cases:
            gold: { call: python:engine_funcs:echo, args: [express] }
            silver: { call: "node:engine_funcs.mjs#echo", args: [standard] }
            default: { call: python:engine_funcs:echo, args: [economy] }
      """;

  @Test
  void aSkippedStepIsNullAndItsDependentsStillRun() throws Exception {
    JsonNode r = run(IF, input("flag", false));

    assertJson(r, "{'maybe': null, 'after': 'skipped'}");
    assertThat(finished("maybe")).isEqualTo(Status.SKIPPED);
    assertThat(finished("after")).isEqualTo(Status.OK);
  }

  @Test
  void aStepWhoseIfIsTrueRuns() throws Exception {
    JsonNode r = run(IF, input("flag", true));

    assertJson(r, "{'maybe': 1, 'after': 1}");
  }

  @Test
  void anIfThatIsNotABooleanFailsTheStepInsteadOfBeingTruthy() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { flag: boolean }
            steps:
              list: { call: python:engine_funcs:echo, args: [[1, 2]] }
              maybe: { if: "${{ steps.list }}", call: python:engine_funcs:echo, args: [1] }
            """,
            input("flag", true));

    assertThat(f.step()).isEqualTo("maybe");
    assertThat(f.failure().message())
        .contains(
            "if: needs true or false, but the expression gave a list; compare explicitly, e.g."
                + " size(x) > 0 or x != null");
    assertThat(finished("maybe")).isEqualTo(Status.FAILED);
  }

  @Test
  void anExpressionErrorFailsTheStepWithTheExpressionsPlace() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { flag: boolean }
            steps:
              obj: { call: python:engine_funcs:echo, args: [{a: 1}] }
              use: { call: python:engine_funcs:echo, args: ["${{ steps.obj.b + 1 }}"] }
            """,
            input("flag", true));

    assertThat(f.step()).isEqualTo("use");
    assertThat(f.failure().message()).contains("no field 'b' here");
    assertThat(f.failure().message()).contains(":4:");
  }

  @Test
  void switchRunsTheMatchingCase() throws Exception {
    assertJson(run(SWITCH, input("tier", "silver")), "{'shipping': 'standard'}");
  }

  @Test
  void switchFallsBackToTheDefaultCase() throws Exception {
    assertJson(run(SWITCH, input("tier", "bronze")), "{'shipping': 'economy'}");
  }

  @Test
  void switchWithoutAMatchOrDefaultIsNullAndDependentsRun() throws Exception {
    JsonNode r =
        run(
            """
            input: { tier: string }
            steps:
              shipping:
                switch: "${{ input.tier }}"
                cases:
                  gold: { call: python:engine_funcs:echo, args: [express] }
              after: { call: python:engine_funcs:echo, args: ["${{ default(steps.shipping, 'none') }}"] }
            """,
            input("tier", "bronze"));

    assertJson(r, "{'shipping': null, 'after': 'none'}");
  }

  @Test
  void switchMatchesNumbersAndBooleansByTheirText() throws Exception {
    JsonNode r =
        run(
            """
            input: { n: integer, yes: boolean }
            steps:
              by_number:
                switch: "${{ input.n }}"
                cases:
                  "1": { call: python:engine_funcs:echo, args: [one] }
                  "2": { call: python:engine_funcs:echo, args: [two] }
              by_bool:
                switch: "${{ input.yes }}"
                cases:
                  "true": { call: python:engine_funcs:echo, args: [was-true] }
                  default: { call: python:engine_funcs:echo, args: [other] }
            """,
            input("n", 2, "yes", true));

    assertJson(r, "{'by_number': 'two', 'by_bool': 'was-true'}");
  }
}
