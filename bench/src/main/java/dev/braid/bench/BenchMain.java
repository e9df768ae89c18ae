package dev.braid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every measurement of DESIGN §9 for Python, Node, workflows, sandboxed scripts and the public
 * API in one go and writes {@code results.json} into the output folder ({@code bench/run} turns it
 * into {@code bench/RESULTS.md}).
 *
 * <pre>
 * java -jar bench/target/braid-bench.jar --home . [--out bench/out] [--quick] [--profile]
 *     [--only SECTION,...]
 * </pre>
 *
 * Every system under test gets the same message: the JSON argument list {@code ["ping-0123456789"]}
 * (19 bytes). A section that fails is recorded as an error; the others still run.
 */
public final class BenchMain {
  private static final Logger log = LoggerFactory.getLogger(BenchMain.class);
  static final String ARG = "ping-0123456789";
  static final String ARG_JSON = "[\"" + ARG + "\"]";

  private BenchMain() {}

  /** Section bodies may throw anything; the failure is recorded, the run goes on. */
  @FunctionalInterface
  private interface Section {
    ObjectNode run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    BenchConfig cfg = BenchConfig.parse(args);
    Files.createDirectories(cfg.outDir());
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    byte[] payload = ARG_JSON.getBytes(StandardCharsets.UTF_8);
    ObjectNode results = json.createObjectNode();
    results.put("started", Instant.now().toString());
    results.put("quick", cfg.quick());
    results.put("payload", ARG_JSON);
    results.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
    ObjectNode errors = results.putObject("errors");

    // braid run's cold start first: it runs the gateway jar bench/run has just built, before
    // anyone editing the checkout makes it older than the sources
    section(cfg, results, errors, "cold_start", () -> new ColdStartBench(cfg).run(json));
    section(
        cfg,
        results,
        errors,
        "floor",
        () -> new FloorBench(cfg, payload, FloorBench.Peer.python(cfg)).run(json));
    section(cfg, results, errors, "grpc", () -> new GrpcBaselineBench(cfg, payload).run(json));
    section(
        cfg, results, errors, "process", () -> new ProcessPerCallBench(cfg, ARG_JSON).run(json));
    BraidBench braid = new BraidBench(cfg, ARG);
    section(cfg, results, errors, "braid", () -> braid.run(json));
    section(
        cfg,
        results,
        errors,
        "worker_direct",
        () -> new WorkerDirectBench(cfg, payload, WorkerDirectBench.Worker.python(cfg)).run(json));
    if (cfg.profile()) {
      int window =
          results.path("braid").path("throughput").path("window").asInt(BraidBench.WINDOWS.get(0));
      section(cfg, results, errors, "braid_profiled", () -> braid.profile(json, window));
      // past the worker's max_in_flight, calls queue in the gateway: profile that case too
      int widest = BraidBench.WINDOWS.get(BraidBench.WINDOWS.size() - 1);
      if (widest != window) {
        section(cfg, results, errors, "braid_profiled_widest", () -> braid.profile(json, widest));
      }
    }
    // Node: the same measurements against a Node worker and Node baselines
    section(
        cfg,
        results,
        errors,
        "node_floor",
        () -> new FloorBench(cfg, payload, FloorBench.Peer.node(cfg)).run(json));
    section(cfg, results, errors, "node_grpc", () -> new NodeGrpcBench(cfg, payload).run(json));
    section(cfg, results, errors, "node_braid", () -> new NodeBench(cfg, ARG).run(json));
    section(
        cfg,
        results,
        errors,
        "node_worker_direct",
        () -> new WorkerDirectBench(cfg, payload, WorkerDirectBench.Worker.node(cfg)).run(json));
    section(cfg, results, errors, "node_nested", () -> new NodeNestedBench(cfg, ARG).run(json));
    // Workflows: the engine's cost per step against direct calls, and braid run's cold start
    section(cfg, results, errors, "workflow", () -> new WorkflowBench(cfg, ARG).run(json));
    // Durable runs: the same workflows journaled to SQLite (normal, full) and PostgreSQL
    section(cfg, results, errors, "durable", () -> new DurableBench(cfg, ARG).run(json));
    // Several gateways on one PostgreSQL: run claim rate and failover time
    section(cfg, results, errors, "multi_gateway", () -> new MultiGatewayBench(cfg).run(json));
    // Sandboxed scripts, warm and cold, against the bare interpreter and bwrap
    section(cfg, results, errors, "sandbox", () -> new SandboxBench(cfg).run(json));
    // The public API (braid serve's Invoke) against a direct gRPC server of the same language
    section(cfg, results, errors, "api", () -> new ApiBench(cfg, ARG_JSON).run(json));
    // Java functions in process against a Java worker process (braid serve's default)
    section(cfg, results, errors, "java_fn", () -> new JavaFnBench(cfg, ARG).run(json));
    results.put("finished", Instant.now().toString());
    json.writeValue(cfg.outDir().resolve("results.json").toFile(), results);
    log.info("wrote {}", cfg.outDir().resolve("results.json"));
    // Braid and gRPC leave daemon threads only, but a helper's stuck thread must not keep us
    System.exit(errors.isEmpty() ? 0 : 1);
  }

  private static void section(
      BenchConfig cfg, ObjectNode results, ObjectNode errors, String name, Section s) {
    if (!cfg.runs(name)) {
      return;
    }
    long t0 = System.nanoTime();
    try {
      results.set(name, s.run());
    } catch (Exception e) {
      log.error("section {} failed", name, e);
      StringWriter sw = new StringWriter();
      e.printStackTrace(new PrintWriter(sw));
      errors.put(name, sw.toString());
    } finally {
      log.info("section {} took {} s", name, (System.nanoTime() - t0) / 1_000_000_000);
    }
  }
}
