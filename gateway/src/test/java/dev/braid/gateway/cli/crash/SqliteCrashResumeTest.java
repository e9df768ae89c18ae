package dev.braid.gateway.cli.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
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

  @Test
  void aSignalFromAnotherProcessReachesTheRunWhileItsBraidHoldsTheStore() throws Exception {
    String store = store();
    Path flow =
        workflow(
            """
            input: { dir: string }
            steps:
              ok: { signal: { name: approve, timeout: 1h } }
              c:
                call: node:crashfuncs.mjs#work
                args: ["${{ input.dir }}", c, "${{ steps.ok.by }}"]
            output: { by: "${{ steps.c }}" }
            """);
    try (GatewayProcess g = run(flow, store, "run")) {
      String runId = g.runId(START);
      g.await("the signal socket", START, () -> Files.exists(Path.of(store + ".sock")));

      Cli sent = braid("signal", runId, "approve", "{\"by\": \"ana\"}", "--store", store);
      Cli wrong = braid("signal", "no-such-run", "approve", "--store", store);

      assertThat(sent.code()).as(sent.err()).isZero();
      assertThat(sent.err()).contains("signal approve sent to run " + runId);
      assertThat(g.exitCode(STEP)).as(g.log()).isZero();
      assertThat(JSON.readTree(g.out())).isEqualTo(JSON.readTree("{\"by\": \"ana\"}"));
      assertThat(wrong.code()).isEqualTo(2);
      assertThat(wrong.err()).contains("no run no-such-run");
    }
    assertThat(Path.of(store + ".sock")).as("removed when the run ends").doesNotExist();
  }
}
