package dev.braid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.api.CallOptions;
import dev.braid.api.RemoteFunction;
import dev.braid.api.WorkerInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Braid itself: {@code async def echo(x): return x} in one Python worker, called through the public
 * Java API. Sequential latency, then pipelined throughput at a few window sizes (the best is
 * reported), with the CPU each process and thread used during the phase.
 */
final class BraidBench {
  private static final Logger log = LoggerFactory.getLogger(BraidBench.class);

  /** Calls in flight tried for throughput; the worker accepts 1024 at once by default. */
  static final List<Integer> WINDOWS = List.of(512, 1024, 2048);

  static final String ECHO = "python:braid_bench:echo";

  private final BenchConfig cfg;
  private final String payload;

  BraidBench(BenchConfig cfg, String payload) {
    this.cfg = cfg;
    this.payload = payload;
  }

  /** A Braid whose one Python worker, with the bench functions on its path, is running. */
  static Braid start(BenchConfig cfg, Path pythonExecutable) throws Exception {
    BraidConfig.Builder b =
        BraidConfig.builder()
            .braidHome(cfg.home())
            .addPythonPath(cfg.benchPython())
            .pythonWorkers(1);
    if (pythonExecutable != null) {
      b.pythonExecutable(pythonExecutable);
    }
    Braid braid = Braid.start(b.build());
    try {
      // the first call starts the worker and waits for it to connect
      braid.function(ECHO).call("start").get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      braid.close();
      throw e;
    }
    return braid;
  }

  ObjectNode run(ObjectMapper json) throws Exception {
    ObjectNode out = json.createObjectNode();
    try (Braid braid = start(cfg, null)) {
      RemoteFunction echo = braid.function(ECHO);
      List<Object> args = List.of(payload);
      log.info("braid: sequential calls");
      long[] nanos =
          Harness.sequential(
              cfg.samples(5_000),
              cfg.samples(10_000),
              () -> echo.call(args, CallOptions.DEFAULT).get(10, TimeUnit.SECONDS));
      out.set("latency", Latency.of(nanos).toJson(json));
      out.put("options", "CallOptions.DEFAULT (no timeout)");

      CpuMeter worker = new CpuMeter(workerPid(braid), "python worker");
      CpuMeter jvm = new CpuMeter(ProcessHandle.current().pid(), "gateway JVM (bench client)");
      CallOptions timed = CallOptions.builder().timeout(Duration.ofSeconds(30)).build();
      ArrayNode tried = out.putArray("throughput_tried");
      ObjectNode best = null;
      ObjectNode bestTimed = null;
      // rounds, because another process on the machine can spoil one phase
      for (int round = 1; round <= cfg.rounds(); round++) {
        for (int window : WINDOWS) {
          ObjectNode row =
              measure(json, worker, jvm, window, () -> echo.call(args, CallOptions.DEFAULT));
          row.put("round", round);
          tried.add(row);
          best = better(best, row);
        }
        // a per-call timeout: a gateway timer and a worker-side asyncio.timeout_at per call
        ObjectNode row = measure(json, worker, jvm, 1024, () -> echo.call(args, timed));
        row.put("round", round).put("timeout", "30s");
        tried.add(row);
        bestTimed = better(bestTimed, row);
      }
      out.set("throughput", best);
      out.set("throughput_with_timeout", bestTimed);
      out.set("cancellation", new CancelBench(cfg).run(json, braid));
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
    log.info("braid: window {}: {} calls/s", window, Math.round(t.perSecond()));
    return row;
  }

  private static ObjectNode better(ObjectNode best, ObjectNode row) {
    return best == null || row.get("calls_per_s").asDouble() > best.get("calls_per_s").asDouble()
        ? row
        : best;
  }

  /**
   * One throughput phase with the worker under cProfile; writes {@code worker-<window>.prof} into
   * the output folder. Its figure is not comparable (the profiler slows the worker down).
   */
  ObjectNode profile(ObjectMapper json, int window) throws Exception {
    Path prof = cfg.outDir().resolve("worker-" + window + ".prof");
    Files.deleteIfExists(prof);
    Path wrapper = cfg.outDir().resolve("profiled-python.sh");
    Files.writeString(
        wrapper,
        "#!/bin/sh\n# written by the bench: a Braid worker under cProfile\nexec '"
            + cfg.python()
            + "' '"
            + cfg.benchPython().resolve("profile_worker.py")
            + "' '"
            + prof
            + "' \"$@\"\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    Throughput t;
    try (Braid braid = start(cfg, wrapper)) {
      RemoteFunction echo = braid.function(ECHO);
      List<Object> args = List.of(payload);
      log.info("braid: profiled throughput, window {}", window);
      t =
          Harness.pipelined(
              window,
              cfg.phase(Duration.ofMillis(500)),
              cfg.phase(Duration.ofSeconds(3)),
              () -> echo.call(args, CallOptions.DEFAULT));
    }
    // the worker writes its profile on the way out, after close() asked it to stop
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Files.exists(prof) && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    ObjectNode out = t.toJson(json);
    out.put("profile", Files.exists(prof) ? prof.toString() : null);
    return out;
  }

  private static long workerPid(Braid braid) {
    return braid.workers().stream()
        .mapToLong(WorkerInfo::pid)
        .filter(p -> p > 0)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no running worker"));
  }
}
