package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.model.FailureCode;
import org.junit.jupiter.api.Test;

/**
 * {@code catch} as a list of clauses: tried in order, filtered by {@code type}, {@code code} and
 * {@code when}, the failure named by {@code as}; no match rethrows as is. A handler sees the try
 * body's completed steps.
 */
class CatchClausesTest extends EngineTestBase {

  private static final String CLAUSES =
      """
      input: { code: string, error: string, tag: string }
      steps:
        guarded:
          try:
            steps:
              boom: { call: python:engine_funcs:flaky, args: ["${{ input.tag }}", 1, "${{ input.error }}", "${{ input.code }}"] }
          catch:
            - code: [RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED]
              as: err
              steps:
                h: { call: python:engine_funcs:echo, args: ["by code ${{ err.code }}"] }
              output: "${{ steps.h }}"
            - type: KeyError
              steps:
                h2: { call: python:engine_funcs:echo, args: ["by type ${{ error.type }}"] }
              output: "${{ steps.h2 }}"
            - when: "${{ contains(problem.message, 'failure 1') && input.code == 'UNAVAILABLE' }}"
              as: problem
              steps:
                h3: { call: python:engine_funcs:echo, args: [by when] }
              output: "${{ steps.h3 }}"
      """;

  @Test
  void theFirstClauseWhoseCodeMatchesHandles() throws Exception {
    JsonNode r = run(CLAUSES, input("code", "RESOURCE_EXHAUSTED", "error", "ValueError"));
    assertJson(r, "{'guarded': 'by code RESOURCE_EXHAUSTED'}");
  }

  @Test
  void aClauseMatchesByType() throws Exception {
    JsonNode r =
        run(
            CLAUSES.replace("\"${{ input.code }}\"", "null"),
            input("code", "", "error", "KeyError"));
    assertJson(r, "{'guarded': 'by type KeyError'}");
  }

  @Test
  void aClauseMatchesByAWhenExpressionOverItsNamedError() throws Exception {
    JsonNode r = run(CLAUSES, input("code", "UNAVAILABLE", "error", "ValueError"));
    assertJson(r, "{'guarded': 'by when'}");
  }

  @Test
  void noMatchingClauseRethrowsTheFailureAsItIs() throws Exception {
    StepFailedException f =
        runFailing(
            CLAUSES.replace("\"${{ input.code }}\"", "null"),
            input("code", "", "error", "OSError"));
    assertThat(f.step()).isEqualTo("boom");
    assertThat(f.failure().type()).isEqualTo("OSError");
    assertThat(f.failure().language()).isEqualTo("python");
    assertThat(f.failure().code()).isEqualTo(FailureCode.APPLICATION);
  }

  @Test
  void theHandlerSeesTheResultsAndNamesOfTheCompletedSteps() throws Exception {
    JsonNode r =
        run(
            """
            input: { dir: string }
            steps:
              guarded:
                try:
                  steps:
                    first: { call: python:engine_funcs:echo, args: [one] }
                    skipped: { if: false, call: python:engine_funcs:echo, args: [never] }
                    second: { needs: first, call: python:engine_funcs:echo, args: [two] }
                    boom: { needs: second, call: python:engine_funcs:fail, args: [kaput] }
                    after: { needs: boom, call: python:engine_funcs:echo, args: [never] }
                catch:
                  steps:
                    seen: { call: python:engine_funcs:echo, args: ["${{ completed }}"] }
                  output:
                    completed: "${{ steps.seen }}"
                    first: "${{ steps.first }}"
                    after: "${{ default(steps.after, null) }}"
            """,
            input());

    assertJson(r, "{'guarded': {'completed': ['first', 'second'], 'first': 'one', 'after': null}}");
  }
}
