package dev.braid.gateway.cli.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The crash scenarios on the default store, a SQLite file; and its one-gateway lock. */
class SqliteCrashResumeTest extends CrashResumeScenarios {
  @Override
  String store() {
    return dir.resolve("runs.db").toString();
  }

  @Test
  void aSecondRunOnAStoreInUseIsRefused() throws Exception {
    String store = store();
    Path flow =
        workflow(
            """
            input: { dir: string }
            steps:
              b: { call: python:crashfuncs:hold, args: ["${{ input.dir }}", b, 2] }
            """);
    try (GatewayProcess g = run(flow, store, "run")) {
      String runId = g.runId(START);
      awaitFile(g, "holding-b-1");

      Cli second = braid("run", flow.toString(), "--input", input(), "--store", store);

      assertThat(second.code()).as(second.err()).isEqualTo(2);
      assertThat(second.err()).contains(store).contains("in use").contains("--store memory");
      assertThat(attempts("b")).as("the refused run started nothing").containsExactly(1);
      // reading still works while the store is held
      assertThat(show(runId, store).get("run").get("status").asText()).isEqualTo("running");
      release("b");
      assertThat(g.exitCode(STEP)).as(g.log()).isZero();
    }
  }
}
