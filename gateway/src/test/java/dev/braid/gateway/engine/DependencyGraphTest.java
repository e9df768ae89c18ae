package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import dev.braid.model.FailureCode;
import org.junit.jupiter.api.Test;

/**
 * The dependency graph (docs/workflows.md, "What depends on what"): a step starts as soon as the
 * steps it references or {@code needs} are done, and only then; independent steps run at once.
 */
class DependencyGraphTest extends EngineTestBase {

  @Test
  void independentStepsRunConcurrently() throws Exception {
    // a rendezvous: each call returns only once the other has arrived, so run one after the
    // other the first would give up waiting and fail
    JsonNode r =
        run(
            """
            input: { tag: string }
            steps:
              a: { call: "python:engine_funcs:meet", args: ["${{ input.tag }}", a, b] }
              b: { call: "python:engine_funcs:meet", args: ["${{ input.tag }}", b, a] }
            """,
            input());

    assertJson(r, "{'a': 'a', 'b': 'b'}");
  }

  @Test
  void aStepWaitsForTheStepsItReferences() throws Exception {
    JsonNode r =
        run(
            """
            input: { tag: string }
            steps:
              second:
                call: python:engine_funcs:logged
                args: ["${{ input.tag }}", second, 0, "${{ steps.first.value }}"]
              first: { call: python:engine_funcs:logged, args: ["${{ input.tag }}", first, 0.2, 7] }
            """,
            input());

    assertJson(r.get("second"), "{'name': 'second', 'value': 7}");
    assertJson(state().get("log"), "['first', 'second']");
  }

  @Test
  void aStepWaitsForTheStepsItNeeds() throws Exception {
    JsonNode r =
        run(
            """
            input: { tag: string }
            steps:
              first: { call: python:engine_funcs:logged, args: ["${{ input.tag }}", first, 0.2] }
              second:
                needs: [first]
                call: python:engine_funcs:state
                args: ["${{ input.tag }}"]
            """,
            input());

    // `second` references nothing of `first`, yet it saw `first` done
    assertJson(r.get("second").get("log"), "['first']");
  }

  @Test
  void outputExpressionsShapeTheResult() throws Exception {
    JsonNode r =
        run(
            """
            steps:
              a: { call: python:engine_funcs:echo, args: [{ n: 2, items: [1, 2, 3] }] }
              b: { call: "node:engine_funcs.mjs#echo", args: [x] }
            output:
              n: "${{ steps.a.n + 1 }}"
              count: "${{ len(steps.a.items) }}"
              text: "b is ${{ steps.b }}, n is ${{ steps.a.n }}"
              whole: "${{ steps.b }}"
            """,
            input());

    assertJson(r, "{'n': 3, 'count': 3, 'text': 'b is x, n is 2', 'whole': 'x'}");
  }

  @Test
  void withoutOutputTheResultHasEveryTopLevelStepByName() throws Exception {
    JsonNode r =
        run(
            """
            steps:
              a: { call: python:engine_funcs:echo, args: [1] }
              b: { call: "node:engine_funcs.mjs#echo", args: [x] }
              c:
                parallel:
                  branches:
                    inner: { call: python:engine_funcs:echo, args: [true] }
            """,
            input());

    assertJson(r, "{'a': 1, 'b': 'x', 'c': {'inner': true}}");
  }

  @Test
  void aFailedStepCancelsRunningStepsAndItsDependentsNeverStart() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { dir: string }
            steps:
              bad: { call: python:engine_funcs:fail_when_marked, args: ["${{ input.dir }}", started, boom] }
              slow: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60] }
              after: { call: python:engine_funcs:mark, args: ["${{ input.dir }}", after-ran, "${{ steps.bad }}"] }
            """,
            input());

    assertThat(f.step()).isEqualTo("bad");
    assertThat(f.failure().type()).isEqualTo("ValueError");
    assertThat(f.failure().message()).isEqualTo("boom");
    assertThat(readMarker("cancelled")).isEqualTo("sibling_failed");
    assertThat(marker("after-ran")).doesNotExist();
    assertThat(started("after")).isFalse();
  }

  @Test
  void missingInputFieldsTakeTheirDefaults() throws Exception {
    JsonNode r =
        run(
            """
            input:
              tier: { type: string, default: silver }
              tags: { type: array, required: false }
            steps:
              a: { call: python:engine_funcs:echo, args: ["${{ input.tier }}"] }
            output: { a: "${{ steps.a }}", tags: "${{ input.tags }}" }
            """,
            JSON.createObjectNode());

    assertJson(r, "{'a': 'silver', 'tags': null}");
  }

  @Test
  void anExpressionThatFailsAtRunTimeFailsItsStep() throws Exception {
    StepFailedException f =
        runFailing(
            """
            steps:
              a: { call: python:engine_funcs:echo, args: [5] }
              b: { call: python:engine_funcs:echo, args: ["${{ steps.a.x }}"] }
            """,
            input());

    assertThat(f.step()).isEqualTo("b");
    assertThat(f.failure().code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(f.failure().type()).isEqualTo("ExpressionError");
    assertThat(f.at().line()).isEqualTo(3);
  }

  @Test
  void runsOfOneEngineGoConcurrently() throws Exception {
    String meet =
        """
        input: { tag: string, me: string, other: string }
        steps:
          a: { call: "python:engine_funcs:meet", args: ["${{ input.tag }}", "${{ input.me }}", "${{ input.other }}"] }
        """;

    WorkflowRun one = start(meet, input("me", "one", "other", "two"));
    WorkflowRun two = start(meet, input("me", "two", "other", "one"));

    assertJson(result(one), "{'a': 'one'}");
    assertJson(result(two), "{'a': 'two'}");
  }
}
