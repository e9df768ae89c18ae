package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Step names are scoped: a nested block may reuse a name of another scope, a reference resolves to
 * the nearest, and the step instances keep ids unique in the workflow.
 */
class ScopedNamesTest extends EngineTestBase {

  @Test
  void aReusedNameResolvesToTheNearestScopeAndGetsAQualifiedId() throws Exception {
    JsonNode r =
        run(
            """
            steps:
              fetch: { call: python:engine_funcs:echo, args: [outer] }
              guarded:
                try:
                  steps:
                    fetch: { call: python:engine_funcs:echo, args: [inner] }
                    use: { call: python:engine_funcs:echo, args: ["${{ steps.fetch }}"] }
                  output: "${{ steps.use }}"
                catch:
                  steps:
                    fetch: { call: python:engine_funcs:echo, args: [caught] }
              after: { call: python:engine_funcs:echo, args: ["${{ steps.fetch }}"] }
              polled:
                loop:
                  steps:
                    fetch: { call: python:engine_funcs:echo, args: ["${{ iteration.index }}"] }
                  output: "${{ steps.fetch }}"
                max_iterations: 2
            """,
            input());

    assertJson(r, "{'fetch': 'outer', 'guarded': 'inner', 'after': 'outer', 'polled': 1}");
    assertThat(finished("fetch")).isEqualTo(RunEvent.Status.OK);
    assertThat(finished("guarded.try.fetch")).isEqualTo(RunEvent.Status.OK);
    assertThat(finished("polled.loop.fetch[1]")).isEqualTo(RunEvent.Status.OK);
  }

  @Test
  void theOrderInsideABlockFollowsItsOwnStepsNotTheOuterOnesOfTheSameName() throws Exception {
    JsonNode r =
        run(
            """
            input: { tag: string }
            steps:
              a: { call: python:engine_funcs:logged, args: ["${{ input.tag }}", outer-a] }
              inner:
                try:
                  steps:
                    a: { call: python:engine_funcs:logged, args: ["${{ input.tag }}", inner-a, 0.2] }
                    b: { call: python:engine_funcs:logged, args: ["${{ input.tag }}", inner-b], needs: [a] }
                  output: "${{ steps.b.name }}"
                finally:
                  steps:
                    done: { call: python:engine_funcs:echo, args: [x] }
            """,
            input());

    assertThat(r.get("inner").asText()).isEqualTo("inner-b");
    // b waited for the inner a (which sleeps), not for the outer one
    JsonNode log = state().get("log");
    List<String> names = new ArrayList<>();
    log.forEach(n -> names.add(n.asText()));
    assertThat(names).containsSubsequence("inner-a", "inner-b");
  }

  @Test
  void twoCatchClausesMayNameTheirStepsAlikeAndKeepDistinctIds() throws Exception {
    JsonNode r =
        run(
            """
            input: { tag: string }
            steps:
              guarded:
                try:
                  steps:
                    work: { call: python:engine_funcs:flaky, args: ["${{ input.tag }}", 9, KeyError] }
                catch:
                  - type: ValueError
                    steps:
                      undo: { call: python:engine_funcs:echo, args: [first] }
                    output: "${{ steps.undo }}"
                  - steps:
                      undo: { call: python:engine_funcs:echo, args: [second] }
                    output: "${{ steps.undo }}"
            """,
            input());

    assertJson(r, "{'guarded': 'second'}");
    assertThat(finished("guarded[1].catch.undo")).isEqualTo(RunEvent.Status.OK);
  }
}
