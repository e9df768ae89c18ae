package dev.braid.gateway.cli.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.gateway.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a {@code braid run} at chosen points, then {@code braid resume}, on a real
 * store: the run completes with the right result; every step that completed before the crash ran
 * exactly once; the step that was in flight ran again with the next attempt and the same
 * idempotency key. The functions (Python and Node) append one line per invocation to {@code
 * calls.log}, written before they return, so the file counts side effects, not recorded outcomes.
 *
 * <p>Subclasses name the store: a SQLite file, a PostgreSQL database.
 */
@Timeout(240)
abstract class CrashResumeScenarios {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration START = Duration.ofSeconds(90);
  static final Duration STEP = Duration.ofSeconds(60);

  @TempDir Path dir;

  /** The {@code --store} value for a test: a fresh store no other test sees. */
  abstract String store() throws Exception;

  private static final String PY =
      """
      import asyncio
      import json
      import os
      import time
      from pathlib import Path

      import braid_worker


      def _log(d, step):
          ctx = braid_worker.current()
          line = json.dumps(
              {"step": step, "attempt": ctx.attempt, "t": time.time(),
               "key": getattr(ctx, "idempotency_key", None)}
          )
          with open(os.path.join(d, "calls.log"), "a") as f:
              f.write(line + "\\n")


      def _mark(d, name):
          tmp = Path(d) / (name + ".tmp")
          tmp.write_text("")
          tmp.rename(Path(d) / name)


      async def work(d, step, value):
          _log(d, step)
          return value


      async def hold(d, step, value):
          _log(d, step)
          _mark(d, "holding-" + step + "-" + str(braid_worker.current().attempt))
          end = time.monotonic() + 120
          while not (Path(d) / ("release-" + step)).exists():
              if time.monotonic() > end:
                  raise TimeoutError("not released")
              await asyncio.sleep(0.02)
          return value


      async def flaky(d, step, fails):
          _log(d, step)
          attempt = braid_worker.current().attempt
          if attempt <= fails:
              _mark(d, "failed-" + step + "-" + str(attempt))
              raise RuntimeError("attempt " + str(attempt) + " fails")
          return attempt
      """;

  private static final String MJS =
      """
      import { appendFileSync } from 'node:fs';
      import { join } from 'node:path';
      import { current } from '@braid/worker';

      export async function work(dir, step, value) {
        const ctx = current();
        const line = {
          step, attempt: ctx.attempt, t: Date.now() / 1000, key: ctx.idempotencyKey ?? null,
        };
        appendFileSync(join(dir, 'calls.log'), JSON.stringify(line) + '\\n');
        return value;
      }
      """;

  /** Writes the workflow and its functions' modules into {@code dir}; returns the workflow. */
  Path workflow(String yaml) throws IOException {
    Files.writeString(dir.resolve("crashfuncs.py"), PY);
    Files.writeString(dir.resolve("crashfuncs.mjs"), MJS);
    Path flow = dir.resolve("flow.yaml");
    Files.writeString(flow, yaml);
    return flow;
  }

  String input() {
    return "{\"dir\": " + JSON.valueToTree(dir.toString()) + "}";
  }

  GatewayProcess run(Path flow, String store, String name) throws IOException {
    return GatewayProcess.start(
        dir,
        name,
        "run",
        flow.toString(),
        "--input",
        input(),
        "--store",
        store,
        "--progress",
        "plain");
  }

  GatewayProcess resume(String runId, String store) throws IOException {
    return GatewayProcess.start(
        dir, "resume", "resume", runId, "--store", store, "--progress", "plain");
  }

  /** {@code braid ARGS...} in this JVM: exit code, stdout, stderr. */
  record Cli(int code, String out, String err) {}

  static Cli braid(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Cli(code, out.toString(), err.toString());
  }

  /** {@code braid show RUN --json}, read while another process may hold the store. */
  static JsonNode show(String runId, String store) throws IOException {
    Cli c = braid("show", runId, "--store", store, "--json");
    assertThat(c.code()).as(c.err()).isZero();
    return JSON.readTree(c.out());
  }

  /** The status {@code braid show} gives the step whose path is {@code path}, or null. */
  static String stepStatus(JsonNode shown, String path) {
    for (JsonNode s : shown.get("steps")) {
      if (s.get("path").asText().equals(path)) {
        return s.get("status").asText();
      }
    }
    return null;
  }

  /** Waits until the store holds an {@code ok} outcome for every one of {@code paths}. */
  void awaitRecorded(GatewayProcess g, String runId, String store, String... paths)
      throws InterruptedException {
    g.await(
        "steps " + String.join(", ", paths) + " recorded ok",
        STEP,
        () -> {
          try {
            JsonNode shown = show(runId, store);
            for (String p : paths) {
              if (!"ok".equals(stepStatus(shown, p))) {
                return false;
              }
            }
            return true;
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  void awaitFile(GatewayProcess g, String name) throws InterruptedException {
    g.await(name, START, () -> Files.exists(dir.resolve(name)));
  }

  void release(String step) throws IOException {
    Files.writeString(dir.resolve("release-" + step), "");
  }

  /** The invocations each step's function saw, in order: step -> [attempt, key]. */
  Map<String, List<JsonNode>> calls() throws IOException {
    Map<String, List<JsonNode>> by = new LinkedHashMap<>();
    Path log = dir.resolve("calls.log");
    if (!Files.exists(log)) {
      return by;
    }
    for (String line : Files.readAllLines(log)) {
      JsonNode n = JSON.readTree(line);
      by.computeIfAbsent(n.get("step").asText(), s -> new ArrayList<>()).add(n);
    }
    return by;
  }

  List<Integer> attempts(String step) throws IOException {
    return calls().getOrDefault(step, List.of()).stream()
        .map(n -> n.get("attempt").asInt())
        .toList();
  }

  /** Every invocation of {@code step} carried the same idempotency key, and one was given. */
  void assertOneKey(String step) throws IOException {
    List<String> keys =
        calls().get(step).stream().map(n -> n.get("key").asText(null)).distinct().toList();
    assertThat(keys).as("idempotency keys of %s", step).hasSize(1).doesNotContainNull();
  }

  /** Resumes {@code runId} after a crash and returns its result (stdout), asserting exit 0. */
  JsonNode resumeToSuccess(String runId, String store) throws Exception {
    try (GatewayProcess r = resume(runId, store)) {
      int code = r.exitCode(START);
      assertThat(code).as(r.log()).isZero();
      assertThat(r.err()).contains("resuming run " + runId);
      JsonNode shown = show(runId, store);
      assertThat(shown.get("run").get("status").asText()).isEqualTo("succeeded");
      return JSON.readTree(r.out());
    }
  }

  @Test
  void aCallInFlightRunsAgainWithTheNextAttemptAndTheCompletedOnesDoNot() throws Exception {
    String store = store();
    Path flow =
        workflow(
            """
            input: { dir: string }
            steps:
              a: { call: python:crashfuncs:work, args: ["${{ input.dir }}", a, 1] }
              b: { needs: [a], call: python:crashfuncs:hold, args: ["${{ input.dir }}", b, 2] }
              c: { needs: [b], call: node:crashfuncs.mjs#work, args: ["${{ input.dir }}", c, 3] }
            output: { sum: "${{ steps.a + steps.b + steps.c }}" }
            """);
    String runId;
    try (GatewayProcess g = run(flow, store, "run")) {
      runId = g.runId(START);
      awaitFile(g, "holding-b-1");
      awaitRecorded(g, runId, store, "a");
      g.crash();
    }
    assertThat(show(runId, store).get("run").get("status").asText()).isEqualTo("running");
    assertThat(stepStatus(show(runId, store), "b")).isEqualTo("in flight");
    release("b");

    JsonNode result = resumeToSuccess(runId, store);

    assertThat(result).isEqualTo(JSON.readTree("{\"sum\": 6}"));
    assertThat(attempts("a")).as("a completed before the crash").containsExactly(1);
    assertThat(attempts("b")).as("b was in flight").containsExactly(1, 2);
    assertThat(attempts("c")).containsExactly(1);
    assertOneKey("b");
  }

  @Test
  void aCrashDuringARetryBackoffResumesWithTheNextAttempt() throws Exception {
    String store = store();
    Path flow =
        workflow(
            """
            input: { dir: string }
            steps:
              a: { call: python:crashfuncs:work, args: ["${{ input.dir }}", a, 1] }
              f:
                needs: [a]
                call: python:crashfuncs:flaky
                args: ["${{ input.dir }}", f, 1]
                retry: { max_attempts: 3, initial_interval: 3s, jitter: none }
            output: { f: "${{ steps.f }}" }
            """);
    String runId;
    try (GatewayProcess g = run(flow, store, "run")) {
      runId = g.runId(START);
      awaitFile(g, "failed-f-1");
      awaitRecorded(g, runId, store, "a");
      // inside the 3 s backoff: attempt 1 failed, attempt 2 not started
      g.crash();
    }

    JsonNode result = resumeToSuccess(runId, store);

    assertThat(result).isEqualTo(JSON.readTree("{\"f\": 2}"));
    assertThat(attempts("a")).containsExactly(1);
    assertThat(attempts("f")).as("the failed attempt is not run again").containsExactly(1, 2);
    assertOneKey("f");
  }

  @Test
  void aCrashDuringAParallelRunsOnlyTheBranchesThatWereNotDone() throws Exception {
    String store = store();
    Path flow =
        workflow(
            """
            input: { dir: string }
            steps:
              p:
                parallel:
                  branches:
                    x: { call: python:crashfuncs:work, args: ["${{ input.dir }}", x, 1] }
                    y: { call: node:crashfuncs.mjs#work, args: ["${{ input.dir }}", y, 2] }
                    z: { call: python:crashfuncs:hold, args: ["${{ input.dir }}", z, 3] }
            output: "${{ steps.p }}"
            """);
    String runId;
    try (GatewayProcess g = run(flow, store, "run")) {
      runId = g.runId(START);
      awaitFile(g, "holding-z-1");
      awaitRecorded(g, runId, store, "p.x", "p.y");
      g.crash();
    }
    release("z");

    JsonNode result = resumeToSuccess(runId, store);

    assertThat(result).isEqualTo(JSON.readTree("{\"x\": 1, \"y\": 2, \"z\": 3}"));
    assertThat(attempts("x")).containsExactly(1);
    assertThat(attempts("y")).containsExactly(1);
    assertThat(attempts("z")).containsExactly(1, 2);
    assertOneKey("z");
  }

  /** When {@code step}'s first invocation began, in epoch seconds. */
  double firstCallAt(String step) throws IOException {
    return calls().get(step).get(0).get("t").asDouble();
  }

  @Test
  void aCrashDuringAWaitWakesAtTheRecordedInstantAfterResume() throws Exception {
    String store = store();
    Path flow =
        workflow(
            """
            input: { dir: string }
            steps:
              a: { call: python:crashfuncs:work, args: ["${{ input.dir }}", a, 1] }
              w: { needs: [a], wait: 3s }
              c: { needs: [w], call: node:crashfuncs.mjs#work, args: ["${{ input.dir }}", c, 3] }
            output: { c: "${{ steps.c }}" }
            """);
    String runId;
    try (GatewayProcess g = run(flow, store, "run")) {
      runId = g.runId(START);
      awaitRecorded(g, runId, store, "a");
      g.crash();
    }
    assertThat(calls()).doesNotContainKey("c");

    JsonNode result = resumeToSuccess(runId, store);

    assertThat(result).isEqualTo(JSON.readTree("{\"c\": 3}"));
    assertThat(attempts("a")).containsExactly(1);
    assertThat(attempts("c")).containsExactly(1);
    // the wait began after a ran: c cannot start before a + 3 s, however the crash fell
    assertThat(firstCallAt("c") - firstCallAt("a")).isGreaterThanOrEqualTo(3.0);
  }

  @Test
  void aSignalSentWhileNoBraidRunsTheRunIsDeliveredOnResume() throws Exception {
    String store = store();
    Path flow =
        workflow(
            """
            input: { dir: string }
            steps:
              a: { call: python:crashfuncs:work, args: ["${{ input.dir }}", a, 1] }
              ok: { needs: [a], signal: { name: approve, timeout: 1h } }
              c:
                call: node:crashfuncs.mjs#work
                args: ["${{ input.dir }}", c, "${{ steps.ok.by }}"]
            output: { by: "${{ steps.c }}" }
            """);
    String runId;
    try (GatewayProcess g = run(flow, store, "run")) {
      runId = g.runId(START);
      awaitRecorded(g, runId, store, "a");
      g.crash();
    }

    Cli sent = braid("signal", runId, "approve", "{\"by\": \"ana\"}", "--store", store);
    assertThat(sent.code()).as(sent.err()).isZero();

    JsonNode result = resumeToSuccess(runId, store);

    assertThat(result).isEqualTo(JSON.readTree("{\"by\": \"ana\"}"));
    assertThat(attempts("a")).containsExactly(1);
    assertThat(attempts("c")).containsExactly(1);
  }

  @Test
  void aSignalFromAnotherProcessReachesTheLiveRun() throws Exception {
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

      Cli wrong = braid("signal", "no-such-run", "approve", "--store", store);
      Cli sent = braid("signal", runId, "approve", "{\"by\": \"ana\"}", "--store", store);

      assertThat(sent.code()).as(sent.err()).isZero();
      assertThat(sent.err()).contains("signal approve sent to run " + runId);
      assertThat(g.exitCode(STEP)).as(g.log()).isZero();
      assertThat(JSON.readTree(g.out())).isEqualTo(JSON.readTree("{\"by\": \"ana\"}"));
      assertThat(wrong.code()).isEqualTo(2);
      assertThat(wrong.err()).contains("no run no-such-run");
    }
  }

  @Test
  void ctrlCCancelsTheRunForGoodAndResumeRefusesIt() throws Exception {
    String store = store();
    Path flow =
        workflow(
            """
            input: { dir: string }
            steps:
              b: { call: python:crashfuncs:hold, args: ["${{ input.dir }}", b, 2] }
            """);
    String runId;
    try (GatewayProcess g = run(flow, store, "run")) {
      runId = g.runId(START);
      awaitFile(g, "holding-b-1");
      g.interrupt();
      assertThat(g.exitCode(STEP)).as(g.log()).isEqualTo(130);
      assertThat(g.err()).contains("run " + runId + " was cancelled");
    }
    assertThat(show(runId, store).get("run").get("status").asText()).isEqualTo("cancelled");

    Cli again = braid("resume", runId, "--store", store);

    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("run " + runId + " is cancelled").contains("unfinished");
  }
}
