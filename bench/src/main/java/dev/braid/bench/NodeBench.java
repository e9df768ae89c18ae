package dev.braid.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.api.CallOptions;
import dev.braid.api.CancellationMode;
import dev.braid.api.RemoteCall;
import dev.braid.api.RemoteFunction;
import dev.braid.api.WorkerInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Braid to Node: {@code export async function echo(x) { return x }} ({@code bench/node/bench.mjs})
 * in ONE Node worker, called through the public Java API, measured as {@link BraidBench} measures
 * the Python worker: sequential latency, pipelined throughput at the same window sizes (the best is
 * reported) with the CPU of each process and thread, and cancellation latency. Then a diagnostic
 * phase at the best window with {@code bench/node/probe.mjs} loaded into the worker: gRPC messages
 * and frames per message both ways, event-loop utilization, GC, and a V8 CPU profile.
 *
 * <p>Cancellation: {@code sleepUntilCancelled} awaits an abortable sleep on its {@code ctx.signal};
 * when the sleep rejects with the abort it records {@code process.hrtime.bigint()} (CLOCK_MONOTONIC
 * on Linux, the clock of Java's {@code System.nanoTime()}), fetched afterwards with {@code
 * takeCancelStamps}. As in {@link CancelBench}, each cancel targets a call already suspended in its
 * sleep: the worker handles frames in order and starts a resolved function synchronously, so once
 * an {@code echo} sent behind the sleeper has answered, the sleeper is waiting.
 */
final class NodeBench {
  private static final Logger log = LoggerFactory.getLogger(NodeBench.class);

  static final String ECHO = "node:bench.mjs#echo";
  private static final String SLEEPER = "node:bench.mjs#sleepUntilCancelled";
  private static final String STAMPS = "node:bench.mjs#takeCancelStamps";
  private static final String PROBE_START = "node:probe.mjs#start";
  private static final String PROBE_STOP = "node:probe.mjs#stop";
  private static final long WAIT_S = 10;

  private final BenchConfig cfg;
  private final String payload;

  NodeBench(BenchConfig cfg, String payload) {
    this.cfg = cfg;
    this.payload = payload;
  }

  /**
   * A Braid with one Node worker (bench/node on its path) and one Python worker (bench/python),
   * whose Node worker is running; the Python worker starts on its first call.
   */
  static Braid start(BenchConfig cfg) throws Exception {
    Braid braid =
        Braid.start(
            BraidConfig.builder()
                .braidHome(cfg.home())
                .addNodePath(NodeHelper.dir(cfg))
                .nodeWorkers(1)
                .addPythonPath(cfg.benchPython())
                .pythonWorkers(1)
                .build());
    try {
      // the first call starts the worker and waits for it to connect
      braid.function(ECHO).call("start").get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      braid.close();
      throw e;
    }
    return braid;
  }

  static long workerPid(Braid braid, String language) {
    return braid.workers(language).stream()
        .mapToLong(WorkerInfo::pid)
        .filter(p -> p > 0)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no running " + language + " worker"));
  }

  ObjectNode run(ObjectMapper json) throws Exception {
    ObjectNode out = json.createObjectNode();
    try (Braid braid = start(cfg)) {
      out.put("workers", braid.workers("node").size());
      RemoteFunction echo = braid.function(ECHO);
      List<Object> args = List.of(payload);
      CpuMeter worker = new CpuMeter(workerPid(braid, "node"), "node worker");
      CpuMeter jvm = new CpuMeter(ProcessHandle.current().pid(), "gateway JVM (bench client)");
      log.info("node braid: sequential calls");
      Harness.Op one = () -> echo.call(args, CallOptions.DEFAULT).get(10, TimeUnit.SECONDS);
      Harness.sequential(cfg.samples(5_000), 0, one);
      Map<String, Long> w0 = worker.snapshot();
      Map<String, Long> j0 = jvm.snapshot();
      long t0 = System.nanoTime();
      long[] nanos = Harness.sequential(0, cfg.samples(10_000), one);
      double secs = (System.nanoTime() - t0) / 1e9;
      out.set("latency", Latency.of(nanos).toJson(json));
      out.put("options", "CallOptions.DEFAULT (no timeout)");
      // CPU while the sequential calls ran: how much of a call's latency is work, and where
      ObjectNode cpu = out.putObject("latency_cpu");
      cpu.set("worker", worker.delta(json, w0, worker.snapshot(), secs));
      cpu.set("jvm", jvm.delta(json, j0, jvm.snapshot(), secs));
      cpu.put("seconds", secs);
      cpu.put("calls", nanos.length);

      ArrayNode tried = out.putArray("throughput_tried");
      ObjectNode best = null;
      // rounds, because another process on the machine can spoil one phase
      for (int round = 1; round <= cfg.rounds(); round++) {
        for (int window : BraidBench.WINDOWS) {
          ObjectNode row =
              measure(json, worker, jvm, window, () -> echo.call(args, CallOptions.DEFAULT));
          row.put("round", round);
          tried.add(row);
          if (best == null
              || row.get("calls_per_s").asDouble() > best.get("calls_per_s").asDouble()) {
            best = row;
          }
        }
      }
      out.set("throughput", best);
      out.set("cancellation", cancellation(json, braid));
      int window = best.get("window").asInt();
      out.set("profiled_sequential", profiledSequential(json, braid, worker, jvm));
      out.set("profiled", profiled(json, braid, worker, jvm, window));
      // past the worker's max_in_flight, calls queue in the gateway: probe that case too
      int widest = BraidBench.WINDOWS.get(BraidBench.WINDOWS.size() - 1);
      if (widest != window) {
        out.set("profiled_widest", profiled(json, braid, worker, jvm, widest));
      }
      out.put("worker_restarts", braid.workerRestarts());
    }
    return out;
  }

  private ObjectNode measure(
      ObjectMapper json,
      CpuMeter worker,
      CpuMeter jvm,
      int window,
      Supplier<CompletableFuture<?>> call)
      throws Exception {
    Map<String, Long> w0 = worker.snapshot();
    Map<String, Long> j0 = jvm.snapshot();
    long t0 = System.nanoTime();
    Throughput t =
        Harness.pipelined(
            window, cfg.phase(Duration.ofMillis(1000)), cfg.phase(Duration.ofMillis(2500)), call);
    double secs = (System.nanoTime() - t0) / 1e9;
    ObjectNode cpu = json.createObjectNode();
    cpu.set("worker", worker.delta(json, w0, worker.snapshot(), secs));
    cpu.set("jvm", jvm.delta(json, j0, jvm.snapshot(), secs));
    ObjectNode row = t.toJson(json);
    row.set("cpu", cpu);
    log.info("node braid: window {}: {} calls/s", window, Math.round(t.perSecond()));
    return row;
  }

  /**
   * One more throughput phase with {@code probe.mjs} counting and profiling inside the worker;
   * writes {@code node-worker-<window>.cpuprofile} (open it in Chrome DevTools) to the output
   * folder.
   */
  private ObjectNode profiled(
      ObjectMapper json, Braid braid, CpuMeter worker, CpuMeter jvm, int window) throws Exception {
    Path prof = cfg.outDir().resolve("node-worker-" + window + ".cpuprofile");
    Files.deleteIfExists(prof);
    RemoteFunction echo = braid.function(ECHO);
    List<Object> args = List.of(payload);
    log.info("node braid: probed throughput, window {}", window);
    braid.function(PROBE_START).call(200).get(WAIT_S, TimeUnit.SECONDS);
    ObjectNode row = measure(json, worker, jvm, window, () -> echo.call(args, CallOptions.DEFAULT));
    JsonNode probe = braid.function(PROBE_STOP).call(prof.toString()).get(WAIT_S, TimeUnit.SECONDS);
    row.set("probe", probe);
    row.put("profile", Files.exists(prof) ? prof.toString() : null);
    return row;
  }

  /**
   * Sequential calls with {@code probe.mjs} profiling the worker: where a lone call's time goes in
   * the worker. Writes {@code node-worker-sequential.cpuprofile}.
   */
  private ObjectNode profiledSequential(
      ObjectMapper json, Braid braid, CpuMeter worker, CpuMeter jvm) throws Exception {
    Path prof = cfg.outDir().resolve("node-worker-sequential.cpuprofile");
    Files.deleteIfExists(prof);
    RemoteFunction echo = braid.function(ECHO);
    List<Object> args = List.of(payload);
    log.info("node braid: probed sequential calls");
    braid.function(PROBE_START).call(100).get(WAIT_S, TimeUnit.SECONDS);
    Map<String, Long> w0 = worker.snapshot();
    Map<String, Long> j0 = jvm.snapshot();
    long t0 = System.nanoTime();
    long[] nanos =
        Harness.sequential(
            0,
            cfg.samples(5_000),
            () -> echo.call(args, CallOptions.DEFAULT).get(10, TimeUnit.SECONDS));
    double secs = (System.nanoTime() - t0) / 1e9;
    ObjectNode row = json.createObjectNode();
    row.set("latency", Latency.of(nanos).toJson(json));
    ObjectNode cpu = row.putObject("cpu");
    cpu.set("worker", worker.delta(json, w0, worker.snapshot(), secs));
    cpu.set("jvm", jvm.delta(json, j0, jvm.snapshot(), secs));
    JsonNode probe = braid.function(PROBE_STOP).call(prof.toString()).get(WAIT_S, TimeUnit.SECONDS);
    row.set("probe", probe);
    row.put("profile", Files.exists(prof) ? prof.toString() : null);
    return row;
  }

  // -- cancellation -------------------------------------------------------------------------

  private ObjectNode cancellation(ObjectMapper json, Braid braid) throws Exception {
    ObjectNode out = json.createObjectNode();
    int warmup = cfg.samples(50);
    int n = cfg.samples(200);
    log.info("node braid: {} cancels (mode try), {} cancels (mode wait)", n, n);
    cancelPhase(braid, CancellationMode.TRY, warmup, 0);
    CancelResult tryMode = cancelPhase(braid, CancellationMode.TRY, n, 0);
    out.set("one_way", Latency.of(tryMode.oneWay()).toJson(json));
    out.put("missing_stamps", tryMode.missing());
    CancelResult waitMode = cancelPhase(braid, CancellationMode.WAIT, n, 1_000_000);
    out.set("wait_round_trip", Latency.of(waitMode.settled()).toJson(json));
    out.set("wait_one_way", Latency.of(waitMode.oneWay()).toJson(json));
    out.put(
        "clock", "System.nanoTime() and process.hrtime.bigint(): both CLOCK_MONOTONIC on Linux");
    return out;
  }

  /** Per cancel: nanos to the abort seen in Node; nanos until the Java future settled. */
  private record CancelResult(long[] oneWay, long[] settled, int missing) {}

  private CancelResult cancelPhase(Braid braid, CancellationMode mode, int n, int seqBase)
      throws Exception {
    RemoteFunction sleeper = braid.function(SLEEPER);
    RemoteFunction echo = braid.function(ECHO);
    CallOptions opts =
        CallOptions.builder()
            .cancellationMode(mode)
            .timeout(Duration.ofSeconds(60))
            .grace(Duration.ofSeconds(5))
            .build();
    long[] sent = new long[n];
    long[] settled = new long[n];
    for (int i = 0; i < n; i++) {
      RemoteCall call = sleeper.call(List.of(seqBase + i, 30), opts);
      echo.call("barrier").get(WAIT_S, TimeUnit.SECONDS);
      if (call.isDone()) {
        throw new IllegalStateException("the sleeper ended before it was cancelled: " + call);
      }
      CompletableFuture<Long> settledAt = call.handle((v, e) -> System.nanoTime());
      long t0 = System.nanoTime();
      call.cancel(true);
      settled[i] = settledAt.get(WAIT_S, TimeUnit.SECONDS) - t0;
      sent[i] = t0;
      // the callee's cleanup must be over before the next cancel is timed
      call.cleanup().get(WAIT_S, TimeUnit.SECONDS);
    }
    JsonNode stamps = braid.function(STAMPS).call().get(WAIT_S, TimeUnit.SECONDS);
    List<Long> oneWay = new ArrayList<>();
    int missing = 0;
    for (int i = 0; i < n; i++) {
      JsonNode s = stamps.get(Integer.toString(seqBase + i));
      if (s == null) {
        missing++;
      } else {
        oneWay.add(s.asLong() - sent[i]);
      }
    }
    if (oneWay.isEmpty()) {
      throw new TimeoutException("no cancel reached the function (" + missing + " missing stamps)");
    }
    return new CancelResult(oneWay.stream().mapToLong(Long::longValue).toArray(), settled, missing);
  }
}
