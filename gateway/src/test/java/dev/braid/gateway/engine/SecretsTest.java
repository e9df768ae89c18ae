package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import dev.braid.gateway.secrets.SecretSources;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code secrets:} in the engine: the values reach expressions and every language's context (and
 * not the worker's environment), and leave the engine only as {@code ***}: in events, the journal,
 * the result and the run's failure.
 */
class SecretsTest extends EngineTestBase {
  private static final String TOKEN = "tok-3f9a1c77e2";

  @Override
  WorkflowEngine createEngine() {
    return new WorkflowEngine(braid)
        .secrets(
            SecretSources.of(Map.of("BRAID_SECRET_API_TOKEN", TOKEN, "OTHER", "o-9981"), null));
  }

  @Test
  void everyLanguageReadsTheDeclaredSecretFromItsContext() throws Exception {
    JsonNode r =
        run(
            """
            secrets: [API_TOKEN]
            steps:
              py: { call: python:engine_funcs:secret_of, args: [API_TOKEN] }
              js: { call: node:engine_funcs.mjs#secretOf, args: [API_TOKEN] }
              java: { call: java:dev.braid.gateway.fixtures.SecretReader#of, args: [API_TOKEN] }
              env: { call: python:engine_funcs:has_secret_in_env }
            output:
              same: "${{ steps.py == steps.js && steps.js == steps.java }}"
              length: "${{ len(steps.py) }}"
              env: "${{ steps.env }}"
            """,
            input());

    assertJson(r, "{'same': true, 'length': " + TOKEN.length() + ", 'env': false}");
  }

  @Test
  void anExpressionReadsTheSecretAndAnExplicitEnvSourceIsUsed() throws Exception {
    JsonNode r =
        run(
            """
            secrets: { OTHER_NAME: { env: OTHER } }
            steps:
              echoed: { call: python:engine_funcs:echo, args: ["${{ secrets.OTHER_NAME }}"] }
            output: { n: "${{ len(steps.echoed) }}", is: "${{ steps.echoed == 'o-9981' }}" }
            """,
            input());

    assertJson(r, "{'n': 6, 'is': true}");
  }

  @Test
  void anUndeclaredSecretIsNotGivenToTheCall() throws Exception {
    JsonNode r =
        run(
            """
            secrets: [API_TOKEN]
            steps:
              asked: { call: python:engine_funcs:secret_missing, args: [OTHER] }
            """,
            input());

    assertThat(r.get("asked").asText())
        .contains("secret 'OTHER' was not given to this call")
        .contains("given here: API_TOKEN")
        .doesNotContain(TOKEN);
  }

  @Test
  void theResultEventsAndJournalShowTheSecretMasked() throws Exception {
    RecordingJournal journal = new RecordingJournal("run-secrets");
    WorkflowRun run =
        engine.start(
            workflow(
                """
                secrets: [API_TOKEN]
                steps:
                  got: { call: python:engine_funcs:secret_of, args: [API_TOKEN] }
                  echoed: { call: python:engine_funcs:echo, args: ["Bearer ${{ secrets.API_TOKEN }}"] }
                """),
            input(),
            events::add,
            journal);

    JsonNode r = result(run);

    assertJson(r, "{'got': '***', 'echoed': 'Bearer ***'}");
    assertThat(events.toString()).contains("***").doesNotContain(TOKEN);
    assertThat(journal.events.toString()).contains("***").doesNotContain(TOKEN);
    assertThat(journal.finished.toString()).contains("Bearer ***").doesNotContain(TOKEN);
    assertThat(journal.writes).isNotEmpty();
    assertThat(journal.nextLife().recorded("echoed").orElseThrow().value().asText())
        .isEqualTo("Bearer ***");
  }

  @Test
  void aFailureCarryingTheSecretIsMaskedInTheRunsFailureAndEvents() throws Exception {
    StepFailedException f =
        runFailing(
            """
            secrets: [API_TOKEN]
            steps:
              leak: { call: python:engine_funcs:leak_secret, args: [API_TOKEN] }
            """,
            input());

    assertThat(f.failure().message()).isEqualTo("token *** was refused");
    assertThat(f.failure().render()).doesNotContain(TOKEN);
    assertThat(f.describe()).doesNotContain(TOKEN);
    assertThat(events.toString()).contains("token *** was refused").doesNotContain(TOKEN);
  }

  @Test
  void aSecretThatCannotBeReadFailsTheRunBeforeAnyStep() throws Exception {
    WorkflowEngine bare = new WorkflowEngine(braid).secrets(SecretSources.NONE);
    try {
      StepFailedException f =
          failure(
              start(
                  bare,
                  """
                  secrets: [API_TOKEN]
                  steps:
                    got: { call: python:engine_funcs:secret_of, args: [API_TOKEN] }
                  """,
                  input()));

      assertThat(f.failure().type()).isEqualTo("SecretMissing");
      assertThat(f.failure().message())
          .isEqualTo(
              "secret 'API_TOKEN' is not set: export BRAID_SECRET_API_TOKEN, or give"
                  + " --secrets-dir DIR with a file API_TOKEN in it");
      assertThat(events).isEmpty();
    } finally {
      bare.close();
    }
  }

  @Test
  void aSubWorkflowReadsTheSecretsItDeclaresAndTheRunShowsThemMasked() throws Exception {
    Files.writeString(
        dir.resolve("signer.yaml"),
        """
        secrets: [API_TOKEN]
        steps:
          py: { call: python:engine_funcs:secret_of, args: [API_TOKEN] }
        output: { token: "${{ steps.py }}", same: "${{ steps.py == secrets.API_TOKEN }}" }
        """);
    JsonNode r =
        run(
            """
            steps:
              signed: { workflow: signer.yaml }
            output: "${{ steps.signed }}"
            """,
            input());

    // the callee's function and expression saw the value; what left the engine is masked
    assertJson(r, "{'token': '***', 'same': true}");
    assertThat(events.toString()).doesNotContain(TOKEN);
  }

  @Test
  void twoWorkflowsOfARunReadingOneSecretNameFromDifferentSourcesAreRefused() throws Exception {
    Files.writeString(
        dir.resolve("other.yaml"),
        """
        secrets: { API_TOKEN: { env: OTHER } }
        steps:
          py: { call: python:engine_funcs:secret_of, args: [API_TOKEN] }
        """);
    StepFailedException f =
        runFailing(
            """
            secrets: [API_TOKEN]
            steps:
              mine: { call: python:engine_funcs:secret_of, args: [API_TOKEN] }
              theirs: { workflow: other.yaml }
            """,
            input());

    assertThat(f.failure().type()).isEqualTo("SecretMissing");
    assertThat(f.failure().message())
        .startsWith("secret 'API_TOKEN' has another value here than where flow")
        .endsWith("one run has one value per secret name")
        .doesNotContain(TOKEN)
        .doesNotContain("o-9981");
  }
}
