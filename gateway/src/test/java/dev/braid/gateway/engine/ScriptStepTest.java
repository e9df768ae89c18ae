package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.model.FailureCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code script:} steps run untrusted code in the sandbox, under the step's deadline. */
@Timeout(120)
class ScriptStepTest extends EngineTestBase {

  @BeforeAll
  static void needsBubblewrap() {
    // CI installs bubblewrap; without it the sandbox refuses, which SandboxRefusalTest covers
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/bwrap")), "bubblewrap is not installed");
  }

  @Test
  void aPythonScriptGetsTheResultsOfItsNeedsByName() throws Exception {
    JsonNode r =
        run(
            """
            steps:
              a: { call: python:engine_funcs:echo, args: [20] }
              b: { call: node:engine_funcs.mjs#echo, args: [22] }
              sum:
                needs: [a, b]
                script:
                  lang: python
                  code: |
                    def main(inp):
                        return {"total": inp["a"] + inp["b"]}
            output: "${{ steps.sum.total }}"
            """,
            input());

    assertThat(r.asInt()).isEqualTo(42);
  }

  @Test
  void aJsScriptGetsItsExplicitInput() throws Exception {
    JsonNode r =
        run(
            """
            input: { tag: string }
            steps:
              shout:
                script:
                  lang: js
                  input: { word: "${{ input.tag }}" }
                  code: |
                    export async function main(inp) { return inp.word.toUpperCase(); }
            output: "${{ steps.shout }}"
            """,
            input());

    assertThat(r.asText()).isEqualTo(tag.toUpperCase(Locale.ROOT));
  }

  @Test
  void aScriptThatIgnoresItsDeadlineIsKilledAtTheStepTimeout() throws Exception {
    StepFailedException f =
        runFailing(
            """
            steps:
              spin:
                timeout: 1s
                script:
                  lang: python
                  code: |
                    def main(inp):
                        while True:
                            pass
            """,
            input());

    assertThat(f.step()).isEqualTo("spin");
    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
  }

  @Test
  void aRaisingScriptFailsTheStepWithItsExceptionAndVerdict() throws Exception {
    StepFailedException f =
        runFailing(
            """
            steps:
              bad:
                script:
                  lang: python
                  code: |
                    def main(inp):
                        return {}["missing"]
            """,
            input());

    assertThat(f.step()).isEqualTo("bad");
    assertThat(f.failure().type()).isEqualTo("KeyError");
    assertThat(f.failure().detailsJson()).contains("\"verdict\":\"RUNTIME_ERROR\"");
  }
}
