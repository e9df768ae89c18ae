package dev.braid.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunListener;
import dev.braid.gateway.engine.WorkflowEngine;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.RunStores;
import dev.braid.gateway.store.StoreConfig;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.WorkerFunctionCatalog;
import dev.braid.gateway.workflow.Workflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What durability costs (docs/durability.md): the {@link WorkflowBench} workflows run on each store
 * side by side in interleaved rounds — in memory (no journal: the engine before durable runs),
 * SQLite {@code synchronous=NORMAL}, SQLite {@code FULL}, and PostgreSQL when {@code
 * BRAID_BENCH_PG_URL} names one ({@code bench/run} starts a private cluster on a loopback port).
 *
 * <ul>
 *   <li><b>sequential</b>: the 40-step workflow; per step = run time / 40, overhead = the paired
 *       difference to the in-memory run of the same round;
 *   <li><b>for_each</b>: 1,000 items, 50 at a time, over Python {@code echo};
 *   <li><b>concurrent</b>: 100 sequential runs at once: steps/s (what group commit is for);
 *   <li><b>recovery</b>: a run with 1,000 recorded steps is claimed again and replayed: the time
 *       from the claim until the step after them starts.
 * </ul>
 */
final class DurableBench {
  private static final Logger log = LoggerFactory.getLogger(DurableBench.class);
  private static final int CONCURRENT_RUNS = 100;
  private static final Duration RUN_WAIT = Duration.ofSeconds(120);

  private final BenchConfig cfg;
  private final String payload;
  private final ObjectMapper mapper = new ObjectMapper();

  DurableBench(BenchConfig cfg, String payload) {
    this.cfg = cfg;
    this.payload = payload;
  }

  /** A store to measure: null {@code config} is the in-memory baseline. */
  private record Kind(String name, StoreConfig config) {}

  ObjectNode run(ObjectMapper json) throws Exception {
    Path dir = Files.createTempDirectory("braid-durable-bench");
    String seqText =
        WorkflowBench.sequentialYaml("sequential", WorkflowBench.NODE, WorkflowBench.PYTHON);
    String eachText = WorkflowBench.forEachYaml("for_each_python", WorkflowBench.PYTHON);
    String recoveryText = recoveryYaml();
    Workflow seq = write(dir, "sequential.yaml", seqText);
    Workflow each = write(dir, "for_each.yaml", eachText);
    Workflow recovery = write(dir, "recovery.yaml", recoveryText);
    List<Kind> kinds = kinds(dir);
    ObjectNode out = json.createObjectNode();
    out.putArray("stores")
        .addAll(kinds.stream().map(k -> json.getNodeFactory().textNode(k.name())).toList());
    BraidConfig.Builder b =
        WorkerFunctionCatalog.configure(
            BraidConfig.builder()
                .braidHome(cfg.home())
                .addPythonPath(cfg.benchPython())
                .addNodePath(NodeHelper.dir(cfg))
                .pythonWorkers(1)
                .nodeWorkers(1),
            seq);
    Map<String, RunStore> stores = new LinkedHashMap<>();
    try (Braid braid = Braid.start(b.build());
        WorkflowEngine engine = new WorkflowEngine(braid)) {
      for (Kind k : kinds) {
        stores.put(k.name(), k.config() == null ? null : RunStores.open(k.config()));
      }
      JsonNode input = mapper.createObjectNode().put("x", payload);
      ObjectNode items = itemsInput(WorkflowBench.ITEMS);
      out.set(
          "sequential",
          interleaved(json, engine, stores, seq, seqText, input, cfg.quick() ? 10 : 60, 30));
      out.set(
          "for_each",
          interleaved(json, engine, stores, each, eachText, items, cfg.quick() ? 1 : 5, 2));
      ObjectNode conc = out.putObject("concurrent");
      for (Map.Entry<String, RunStore> s : stores.entrySet()) {
        conc.set(s.getKey(), concurrent(json, engine, s.getValue(), seq, seqText, input));
      }
      ObjectNode rec = out.putObject("recovery");
      for (Kind k : kinds) {
        if (k.config() != null) {
          stores.get(k.name()).close();
          stores.put(k.name(), null);
          rec.set(k.name(), recovery(json, engine, k.config(), recovery, recoveryText));
        }
      }
    } finally {
      for (RunStore s : stores.values()) {
        if (s != null) {
          s.close();
        }
      }
      WorkflowBench.deleteTree(dir);
    }
    return out;
  }

  private List<Kind> kinds(Path dir) {
    List<Kind> k = new ArrayList<>();
    k.add(new Kind("memory", null));
    k.add(
        new Kind(
            "sqlite_normal", config(dir.resolve("normal.db").toString(), StoreConfig.Sync.NORMAL)));
    k.add(
        new Kind("sqlite_full", config(dir.resolve("full.db").toString(), StoreConfig.Sync.FULL)));
    String pg = System.getenv("BRAID_BENCH_PG_URL");
    if (pg != null && !pg.isBlank()) {
      k.add(new Kind("postgresql", config(pg, StoreConfig.Sync.NORMAL)));
    } else {
      log.info("durable: BRAID_BENCH_PG_URL is not set; PostgreSQL is left out");
    }
    return k;
  }

  private static StoreConfig config(String location, StoreConfig.Sync sync) {
    return new StoreConfig(location, sync, StoreConfig.Budgets.DEFAULT, false);
  }

  /** Starts one run of {@code wf}: in memory when {@code store} is null, else journaled there. */
  private static WorkflowRun start(
      WorkflowEngine engine,
      RunStore store,
      Workflow wf,
      String text,
      JsonNode input,
      RunListener l) {
    if (store == null) {
      return engine.start(wf, input, l);
    }
    RunStore.Claimed c = store.create(wf.name().value(), text, input, null);
    return engine.start(wf, input, l, c.journal());
  }

  private static JsonNode await(WorkflowRun run) throws Exception {
    return run.result().get(RUN_WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /**
   * {@code rounds} rounds (after {@code warmup} runs per store), each running the workflow once on
   * every store in a rotated order, so drift on the machine touches them alike.
   */
  private ObjectNode interleaved(
      ObjectMapper json,
      WorkflowEngine engine,
      Map<String, RunStore> stores,
      Workflow wf,
      String text,
      JsonNode input,
      int rounds,
      int warmup)
      throws Exception {
    List<String> names = new ArrayList<>(stores.keySet());
    int w = cfg.quick() ? Math.max(1, warmup / 5) : warmup;
    log.info("durable: {}, {} warm-up runs per store, {} rounds", wf.name().value(), w, rounds);
    for (int i = 0; i < w; i++) {
      for (String n : names) {
        await(start(engine, stores.get(n), wf, text, input, RunListener.NONE));
      }
    }
    Map<String, long[]> times = new LinkedHashMap<>();
    names.forEach(n -> times.put(n, new long[rounds]));
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < names.size(); k++) {
        String n = names.get((r + k) % names.size());
        long t0 = System.nanoTime();
        await(start(engine, stores.get(n), wf, text, input, RunListener.NONE));
        times.get(n)[r] = System.nanoTime() - t0;
      }
    }
    int units =
        wf.name().value().startsWith("for_each") ? WorkflowBench.ITEMS : WorkflowBench.STEPS;
    ObjectNode out = json.createObjectNode();
    out.put("rounds", rounds);
    out.put("units", units);
    long[] memory = times.get("memory");
    for (String n : names) {
      long[] t = times.get(n);
      Latency l = Latency.of(t.clone());
      ObjectNode o = out.putObject(n);
      o.put("p50_ms", l.p50Us() / 1e3);
      o.put("p90_ms", l.p90Us() / 1e3);
      o.put("per_unit_p50_us", l.p50Us() / units);
      long[] diffs = new long[rounds];
      for (int r = 0; r < rounds; r++) {
        diffs[r] = t[r] - memory[r];
      }
      Arrays.sort(diffs);
      o.put("overhead_per_unit_us", diffs[rounds / 2] / 1e3 / units);
      log.info(
          "durable: {} on {}: p50 {} ms, {} us per unit, +{} us per unit over memory",
          wf.name().value(),
          n,
          String.format("%.2f", l.p50Us() / 1e3),
          String.format("%.1f", l.p50Us() / units),
          String.format("%.1f", diffs[rounds / 2] / 1e3 / units));
    }
    return out;
  }

  /** {@link #CONCURRENT_RUNS} sequential runs started together: steps per second. */
  private ObjectNode concurrent(
      ObjectMapper json,
      WorkflowEngine engine,
      RunStore store,
      Workflow wf,
      String text,
      JsonNode in)
      throws Exception {
    int runs = cfg.quick() ? CONCURRENT_RUNS / 5 : CONCURRENT_RUNS;
    long commits0 = store == null ? 0 : store.commits();
    long writes0 = store == null ? 0 : store.writes();
    long t0 = System.nanoTime();
    List<CompletableFuture<JsonNode>> all = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      all.add(start(engine, store, wf, text, in, RunListener.NONE).result());
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .get(RUN_WAIT.toSeconds(), TimeUnit.SECONDS);
    double secs = (System.nanoTime() - t0) / 1e9;
    ObjectNode o = json.createObjectNode();
    o.put("runs", runs);
    o.put("seconds", secs);
    o.put("steps_per_s", runs * WorkflowBench.STEPS / secs);
    if (store != null) {
      long commits = store.commits() - commits0;
      long writes = store.writes() - writes0;
      o.put("commits", commits);
      o.put("commits_per_s", commits / secs);
      o.put("writes_per_commit", commits == 0 ? 0 : (double) writes / commits);
    }
    log.info(
        "durable: {} concurrent runs: {} steps/s, {}",
        runs,
        String.format("%.0f", runs * WorkflowBench.STEPS / secs),
        o.has("commits") ? o.get("commits_per_s").asLong() + " commits/s" : "no store");
    return o;
  }

  /**
   * A run whose 1,000 items are recorded and whose last step is still running is left behind (its
   * store closed under it, as a crash would), then claimed from a freshly opened store and
   * replayed: the time from the claim until the last step starts again.
   */
  private ObjectNode recovery(
      ObjectMapper json, WorkflowEngine engine, StoreConfig config, Workflow wf, String text)
      throws Exception {
    ObjectNode in = itemsInput(WorkflowBench.ITEMS);
    String runId;
    WorkflowRun left;
    // the first life: closed under its run once the hold step runs, as a crash would leave it
    try (RunStore first = RunStores.open(config)) {
      CountDownLatch holding = new CountDownLatch(1);
      RunStore.Claimed c = first.create(wf.name().value(), text, in, null);
      runId = c.run().runId();
      left = engine.start(wf, in, startedHold(holding, new AtomicLong()), c.journal());
      if (!holding.await(RUN_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("recovery: the hold step never started");
      }
    }
    // its later writes fail on the closed store; the stored run stays unfinished
    left.cancel();
    int rounds = cfg.quick() ? 1 : 3;
    long[] t = new long[rounds];
    for (int r = 0; r < rounds; r++) {
      try (RunStore again = RunStores.open(config)) {
        CountDownLatch holding = new CountDownLatch(1);
        AtomicLong at = new AtomicLong();
        long t0 = System.nanoTime();
        RunStore.Claimed c = again.claim(runId);
        WorkflowRun run = engine.start(wf, c.run().input(), startedHold(holding, at), c.journal());
        if (!holding.await(RUN_WAIT.toSeconds(), TimeUnit.SECONDS)) {
          throw new IllegalStateException("recovery: the replay never reached the hold step");
        }
        t[r] = at.get() - t0;
        if (r == rounds - 1) {
          run.cancel();
          try {
            run.result().get(RUN_WAIT.toSeconds(), TimeUnit.SECONDS);
          } catch (java.util.concurrent.ExecutionException expected) {
            // cancelled, as asked
          }
        }
      }
    }
    Latency l = Latency.of(t);
    ObjectNode o = json.createObjectNode();
    o.put("recorded_steps", WorkflowBench.ITEMS);
    o.put("rounds", rounds);
    o.put("p50_ms", l.p50Us() / 1e3);
    o.put("max_ms", l.maxUs() / 1e3);
    log.info(
        "durable: recovery of {} recorded steps: {} ms",
        WorkflowBench.ITEMS,
        String.format("%.1f", l.p50Us() / 1e3));
    return o;
  }

  /** A listener that stamps the time the {@code hold} step starts and counts down. */
  private static RunListener startedHold(CountDownLatch holding, AtomicLong at) {
    return e -> {
      if (e.type() == RunEvent.Type.STEP_STARTED && "hold".equals(e.step())) {
        at.set(System.nanoTime());
        holding.countDown();
      }
    };
  }

  /** 1,000 recorded echo items, then a step that waits until it is cancelled. */
  private static String recoveryYaml() {
    return "# generated by the Braid bench (DurableBench)\n"
        + "name: recovery\ninput:\n  items: array\nsteps:\n  each:\n"
        + "    for_each: \"${{ input.items }}\"\n    as: it\n    concurrency: 50\n"
        + "    do: { call: "
        + WorkflowBench.PYTHON
        + ", args: [\"${{ it }}\"] }\n"
        + "  hold:\n    needs: [each]\n    call: python:braid_bench:sleep_until_cancelled\n"
        + "    args: [0, 600]\n"
        + "output: \"${{ steps.hold }}\"\n";
  }

  private ObjectNode itemsInput(int n) {
    ObjectNode in = mapper.createObjectNode();
    ArrayNode a = in.putArray("items");
    for (int i = 0; i < n; i++) {
      a.add(payload);
    }
    return in;
  }

  private static Workflow write(Path dir, String file, String yaml) throws Exception {
    Path p = dir.resolve(file);
    Files.writeString(p, yaml);
    ParsedWorkflow parsed = ParsedWorkflow.read(p);
    if (!parsed.problems().isEmpty()) {
      throw new IllegalStateException(file + ": " + parsed.problems());
    }
    return parsed.workflow();
  }
}
