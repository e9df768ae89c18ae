package dev.braid.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.RunStores;
import dev.braid.gateway.store.StoreConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code braid runs}, {@code show}, {@code signal} and {@code resume} on a SQLite store in a temp
 * folder, in process: what they print, and their errors (exit 2, a message naming the problem).
 */
@Timeout(120)
class StoreCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PYTHON = Path.of("src/test/python").toAbsolutePath().toString();

  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  private static Result braid(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  private String store() {
    return dir.resolve("runs.db").toString();
  }

  /** {@code braid run} of {@code yaml} on the test's store; returns the result and the run id. */
  private Result run(String yaml, String... args) throws Exception {
    return runOn(store(), yaml, args);
  }

  private Result runOn(String store, String yaml, String... args) throws Exception {
    Path file = dir.resolve("flow.yaml");
    Files.writeString(file, yaml);
    List<String> all =
        new ArrayList<>(
            List.of(
                "run",
                file.toString(),
                "--store",
                store,
                "--progress",
                "none",
                "--python-path",
                PYTHON));
    all.addAll(List.of(args));
    return braid(all.toArray(String[]::new));
  }

  private static String runId(Result r) {
    for (String line : r.err().split("\n")) {
      if (line.startsWith("run ")) {
        return line.substring(4).trim();
      }
    }
    throw new AssertionError("no run id in: " + r.err());
  }

  private static final String DOUBLE =
      """
      input: { n: integer }
      steps:
        doubled: { call: python:engine_funcs:echo, args: ["${{ input.n * 2 }}"] }
      output: { doubled: "${{ steps.doubled }}" }
      """;

  private static final String FAILING =
      """
      steps:
        fine: { call: python:engine_funcs:echo, args: [1] }
        broken: { needs: [fine], call: python:engine_funcs:fail, args: [boom] }
      """;

  /** A run left unfinished in the store, as a gateway that died leaves it. */
  private String unfinishedRun() throws Exception {
    try (RunStore s = RunStores.open(config(false))) {
      return s.create(
              dir.resolve("flow.yaml").toString(), DOUBLE, JSON.readTree("{\"n\": 1}"), null)
          .run()
          .runId();
    }
  }

  private StoreConfig config(boolean readOnly) {
    return new StoreConfig(store(), StoreConfig.Sync.NORMAL, StoreConfig.Budgets.DEFAULT, readOnly);
  }

  @Test
  void runPrintsTheRunIdOnStderrAndKeepsTheResultOnStdout() throws Exception {
    Result r = run(DOUBLE, "--input", "{\"n\": 21}");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(JSON.readTree(r.out())).isEqualTo(JSON.readTree("{\"doubled\": 42}"));
    assertThat(runId(r)).matches("[A-Za-z0-9][A-Za-z0-9._:-]*");
  }

  @Test
  void runsListsTheStoredRunsNewestFirst() throws Exception {
    String ok = runId(run(DOUBLE, "--input", "{\"n\": 1}"));
    Result failed = run(FAILING);
    assertThat(failed.code()).isEqualTo(1);
    String bad = runId(failed);

    Result all = braid("runs", "--store", store());

    assertThat(all.code()).as(all.err()).isZero();
    List<String> lines = all.out().lines().toList();
    assertThat(lines.get(0)).startsWith("ID").contains("STATUS", "WORKFLOW", "CREATED", "DURATION");
    assertThat(lines).hasSize(3);
    assertThat(lines.get(1)).startsWith(bad).contains("failed").contains("flow.yaml");
    assertThat(lines.get(2)).startsWith(ok).contains("succeeded");

    Result onlyFailed = braid("runs", "--store", store(), "--status", "failed", "--json");
    JsonNode runs = JSON.readTree(onlyFailed.out());
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).get("id").asText()).isEqualTo(bad);
    assertThat(runs.get(0).get("status").asText()).isEqualTo("failed");
    assertThat(runs.get(0).get("failure").get("message").asText()).contains("boom");

    Result limited = braid("runs", "--store", store(), "--limit", "1", "--json");
    assertThat(JSON.readTree(limited.out())).hasSize(1);
  }

  @Test
  void runsOnAnEmptyStoreSaysSo() throws Exception {
    Result r = braid("runs", "--store", store(), "--status", "running");

    assertThat(r.code()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("no runs in the store " + store() + " (it does not exist yet)");
    unfinishedRun();
    Result none = braid("runs", "--store", store(), "--status", "failed");
    assertThat(none.code()).isZero();
    assertThat(none.err()).contains("no failed runs in the store " + store());
  }

  @Test
  void runsRefusesABadStatusOrLimit() {
    Result status = braid("runs", "--store", store(), "--status", "done");
    Result limit = braid("runs", "--store", store(), "--limit", "0");

    assertThat(status.code()).isEqualTo(2);
    assertThat(status.err()).contains("--status must be running, succeeded, failed or cancelled");
    assertThat(limit.code()).isEqualTo(2);
    assertThat(limit.err()).contains("--limit must be between 1 and 10000, not 0");
  }

  @Test
  void showPrintsEachStepAndTheResult() throws Exception {
    String id = runId(run(DOUBLE, "--input", "{\"n\": 2}"));

    Result r = braid("show", id, "--store", store());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("run       " + id).contains("status    succeeded");
    assertThat(r.out().lines().filter(l -> l.startsWith("doubled")).findFirst().orElseThrow())
        .contains("ok")
        .contains("1");
    assertThat(r.out()).contains("result: {\"doubled\":4}");
  }

  @Test
  void showNamesTheFailedStepWithItsFailure() throws Exception {
    String id = runId(run(FAILING));

    Result text = braid("show", id, "--store", store());
    Result json = braid("show", id, "--store", store(), "--json");

    assertThat(text.out().lines().filter(l -> l.startsWith("broken")).findFirst().orElseThrow())
        .contains("failed")
        .contains("boom");
    assertThat(text.out()).contains("status    failed").contains("failure: ");
    JsonNode shown = JSON.readTree(json.out());
    assertThat(shown.get("run").get("status").asText()).isEqualTo("failed");
    JsonNode broken = null;
    for (JsonNode s : shown.get("steps")) {
      if (s.get("path").asText().equals("broken")) {
        broken = s;
      }
    }
    assertThat(broken).isNotNull();
    assertThat(broken.get("status").asText()).isEqualTo("failed");
    assertThat(broken.get("attempts").asInt()).isEqualTo(1);
    assertThat(broken.get("failure").get("message").asText()).contains("boom");
  }

  @Test
  void showAndResumeRefuseAnUnknownOrMalformedRunId() {
    Result unknown = braid("show", "no-such-run", "--store", store());
    Result resume = braid("resume", "no-such-run", "--store", store());
    Result malformed = braid("show", "../../etc/passwd", "--store", store());

    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("no run no-such-run in the store " + store());
    assertThat(resume.code()).isEqualTo(2);
    assertThat(resume.err()).contains("no run no-such-run");
    assertThat(malformed.code()).isEqualTo(2);
    assertThat(malformed.err()).contains("is not a run id");
  }

  @Test
  void resumeRefusesAFinishedRun() throws Exception {
    String id = runId(run(DOUBLE, "--input", "{\"n\": 2}"));

    Result r = braid("resume", id, "--store", store());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("run " + id + " is succeeded: only an unfinished run");
  }

  @Test
  void resumeFinishesARunLeftUnfinished() throws Exception {
    Files.writeString(dir.resolve("flow.yaml"), DOUBLE);
    String id = unfinishedRun();

    Result r =
        braid("resume", id, "--store", store(), "--progress", "none", "--python-path", PYTHON);

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("resuming run " + id + " (0 steps recorded)");
    assertThat(JSON.readTree(r.out())).isEqualTo(JSON.readTree("{\"doubled\": 2}"));
    assertThat(braid("runs", "--store", store(), "--json").out()).contains("succeeded");
  }

  @Test
  void resumeHonoursACancelRequestedWhileTheRunWasDown() throws Exception {
    Files.writeString(dir.resolve("flow.yaml"), DOUBLE);
    String id = unfinishedRun();
    try (RunStore s = RunStores.open(config(false))) {
      s.requestCancel(id);
    }

    Result r =
        braid("resume", id, "--store", store(), "--progress", "none", "--python-path", PYTHON);

    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("run " + id + " had a cancel requested: cancelling it");
    JsonNode shown = JSON.readTree(braid("show", id, "--store", store(), "--json").out());
    assertThat(shown.get("run").get("status").asText()).isEqualTo("cancelled");
    assertThat(braid("resume", id, "--store", store()).code()).isEqualTo(2);
  }

  @Test
  void signalIsKeptForTheRunUntilItsSignalStepTakesIt() throws Exception {
    String id = unfinishedRun();

    Result r = braid("signal", id, "approve", "{\"ok\": true}", "--store", store());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("signal approve sent to run " + id);
    try (RunStore s = RunStores.open(config(false))) {
      JsonNode payload =
          s.claim(id).journal().nextSignal("approve", "wait").get(10, TimeUnit.SECONDS);
      assertThat(payload).isEqualTo(JSON.readTree("{\"ok\": true}"));
    }
  }

  @Test
  void signalRefusesUnknownAndFinishedRunsBadNamesAndBadJson() throws Exception {
    String done = runId(run(DOUBLE, "--input", "{\"n\": 2}"));
    String open = unfinishedRun();

    Result unknown = braid("signal", "nope", "approve", "--store", store());
    Result finished = braid("signal", done, "approve", "--store", store());
    Result name = braid("signal", open, "no spaces", "--store", store());
    Result json = braid("signal", open, "approve", "{oops", "--store", store());

    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("no run nope");
    assertThat(finished.code()).isEqualTo(2);
    assertThat(finished.err()).contains("is succeeded: a finished run takes no signals");
    assertThat(name.code()).isEqualTo(2);
    assertThat(name.err()).contains("is not a signal name");
    assertThat(json.code()).isEqualTo(2);
    assertThat(json.err()).contains("the payload is not valid JSON");
  }

  @Test
  void badStoreOptionsAreRefusedBeforeAnythingRuns() throws Exception {
    Result sync = braid("runs", "--store", store(), "--store-sync", "sometimes");
    Result bytes = run(DOUBLE, "--input", "{\"n\": 1}", "--max-run-bytes", "lots");
    Result events = run(DOUBLE, "--input", "{\"n\": 1}", "--max-run-events", "0");

    assertThat(sync.code()).isEqualTo(2);
    assertThat(sync.err()).contains("--store-sync must be normal or full, not 'sometimes'");
    assertThat(bytes.code()).isEqualTo(2);
    assertThat(bytes.err()).contains("--max-run-bytes: 'lots' is not a size");
    assertThat(events.code()).isEqualTo(2);
    assertThat(events.err()).contains("--max-run-events < 1: 0");
  }

  @Test
  void aRunOnAStoreThatCannotBeOpenedExitsTwoWithAHint() throws Exception {
    Path notADir = dir.resolve("file");
    Files.writeString(notADir, "x");

    Result r = runOn(notADir.resolve("runs.db").toString(), DOUBLE, "--input", "{\"n\": 1}");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("error: ").contains("--store memory");
  }
}
