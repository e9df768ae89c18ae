package dev.braid.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.api.Braid;
import dev.braid.api.CallOptions;
import dev.braid.api.RemoteFunction;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nested calls between Python and Node, against direct calls, in one Braid with one worker of each
 * language. Four paths, each a sequential call of the same message:
 *
 * <ul>
 *   <li>{@code java_node}: Java -> Node {@code echo};
 *   <li>{@code java_python}: Java -> Python {@code echo};
 *   <li>{@code java_python_node}: Java -> Python {@code echo_via_node}, which awaits {@code
 *       braid_worker.call("node:bench.mjs#echo", x)};
 *   <li>{@code java_node_python}: Java -> Node {@code echoViaPython}, which returns {@code
 *       ctx.call("python:braid_bench:echo", x)}.
 * </ul>
 *
 * The paths are measured in interleaved blocks (every path once per round) so that drift on the
 * machine touches them alike; each path's percentiles come from all its samples. The two nested
 * functions also time their own nested call ({@code time.monotonic_ns()} around the {@code await}
 * in Python, {@code process.hrtime.bigint()} around {@code ctx.call} in Node), fetched afterwards:
 * the nested round trip as the calling worker sees it, without the Java leg around it.
 */
final class NodeNestedBench {
  private static final Logger log = LoggerFactory.getLogger(NodeNestedBench.class);

  static final Map<String, String> PATHS = new LinkedHashMap<>();

  static {
    PATHS.put("java_node", NodeBench.ECHO);
    PATHS.put("java_python", BraidBench.ECHO);
    PATHS.put("java_python_node", "python:braid_bench_node:echo_via_node");
    PATHS.put("java_node_python", "node:bench.mjs#echoViaPython");
  }

  /** Per nested path: the function that hands over the caller-side timings (nanoseconds). */
  private static final Map<String, String> TIMINGS =
      Map.of(
          "java_python_node", "python:braid_bench_node:take_nested_timings",
          "java_node_python", "node:bench.mjs#takeNestedTimings");

  private static final int ROUNDS = 5;

  private final BenchConfig cfg;
  private final String payload;

  NodeNestedBench(BenchConfig cfg, String payload) {
    this.cfg = cfg;
    this.payload = payload;
  }

  ObjectNode run(ObjectMapper json) throws Exception {
    ObjectNode out = json.createObjectNode();
    List<Object> args = List.of(payload);
    int perRound = cfg.samples(1_000);
    try (Braid braid = NodeBench.start(cfg)) {
      Map<String, long[]> samples = new LinkedHashMap<>();
      Map<String, RemoteFunction> fns = new LinkedHashMap<>();
      for (Map.Entry<String, String> p : PATHS.entrySet()) {
        RemoteFunction fn = braid.function(p.getValue());
        fns.put(p.getKey(), fn);
        samples.put(p.getKey(), new long[0]);
        // warm-up; the first Python call also starts the Python worker
        Harness.sequential(
            cfg.samples(2_000),
            0,
            () -> fn.call(args, CallOptions.DEFAULT).get(30, TimeUnit.SECONDS));
      }
      for (String take : TIMINGS.values()) {
        braid.function(take).call().get(10, TimeUnit.SECONDS); // forget the warm-up's
      }
      log.info("node nested: {} rounds of {} calls per path", ROUNDS, perRound);
      for (int round = 0; round < ROUNDS; round++) {
        for (Map.Entry<String, RemoteFunction> e : fns.entrySet()) {
          RemoteFunction fn = e.getValue();
          long[] got =
              Harness.sequential(
                  0, perRound, () -> fn.call(args, CallOptions.DEFAULT).get(10, TimeUnit.SECONDS));
          long[] all = samples.get(e.getKey());
          long[] merged = Arrays.copyOf(all, all.length + got.length);
          System.arraycopy(got, 0, merged, all.length, got.length);
          samples.put(e.getKey(), merged);
        }
      }
      ObjectNode lat = out.putObject("latency");
      for (Map.Entry<String, long[]> e : samples.entrySet()) {
        Latency l = Latency.of(e.getValue());
        lat.set(e.getKey(), l.toJson(json).put("function", PATHS.get(e.getKey())));
        log.info("node nested: {} p50 {} us", e.getKey(), Math.round(l.p50Us()));
      }
      ObjectNode inside = out.putObject("caller_side");
      for (Map.Entry<String, String> e : TIMINGS.entrySet()) {
        JsonNode ns = braid.function(e.getValue()).call().get(10, TimeUnit.SECONDS);
        long[] v = new long[ns.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = ns.get(i).asLong();
        }
        if (v.length > 0) {
          inside.set(e.getKey(), Latency.of(v).toJson(json));
        }
      }
      out.put("worker_restarts", braid.workerRestarts());
    }
    return out;
  }
}
