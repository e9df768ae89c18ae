package dev.braid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.api.CallOptions;
import dev.braid.api.RemoteFunction;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What running Java functions in a Java worker process costs per call: the trivial {@code
 * java:dev.braid.bench.WorkflowFns#step} called in process ({@code
 * BraidConfig.javaInProcess(true)}, the local CLI's way) and in a Java worker process ({@code braid
 * serve}'s default), in the same run, alternating: sequential latency, then pipelined throughput at
 * a few windows (best of the rounds).
 */
final class JavaFnBench {
  private static final Logger log = LoggerFactory.getLogger(JavaFnBench.class);
  static final String FN = "java:dev.braid.bench.WorkflowFns#step";
  static final List<Integer> WINDOWS = List.of(64, 1024);
  static final List<String> MODES = List.of("in_process", "process");

  private final BenchConfig cfg;
  private final String payload;

  JavaFnBench(BenchConfig cfg, String payload) {
    this.cfg = cfg;
    this.payload = payload;
  }

  ObjectNode run(ObjectMapper json) throws Exception {
    ObjectNode out = json.createObjectNode();
    out.put("function", FN);
    out.put("payload", "[\"" + payload + "\"]");
    try (Braid inProcess = start(true);
        Braid process = start(false)) {
      List<Object> args = List.of(payload);
      for (String mode : MODES) {
        Braid b = mode.equals("in_process") ? inProcess : process;
        RemoteFunction fn = b.function(FN);
        log.info("java functions ({}): sequential calls", mode);
        long[] nanos =
            Harness.sequential(
                cfg.samples(3_000),
                cfg.samples(5_000),
                () -> fn.call(args, CallOptions.DEFAULT).get(10, TimeUnit.SECONDS));
        out.with(mode).set("latency", Latency.of(nanos).toJson(json));
      }
      for (int round = 0; round < cfg.rounds(); round++) {
        for (int window : WINDOWS) {
          for (String mode : MODES) {
            RemoteFunction fn = (mode.equals("in_process") ? inProcess : process).function(FN);
            log.info("java functions ({}): {} in flight, round {}", mode, window, round + 1);
            Throughput t =
                Harness.pipelined(
                    window,
                    cfg.phase(Duration.ofSeconds(1)),
                    cfg.phase(Duration.ofSeconds(3)),
                    () -> fn.call(args, CallOptions.DEFAULT));
            ArrayNode tried = out.with(mode).withArray("throughput_tried");
            tried.add(t.toJson(json).put("round", round + 1));
            ObjectNode best = (ObjectNode) out.with(mode).get("throughput");
            if (best == null || best.path("calls_per_s").asDouble() < t.perSecond()) {
              out.with(mode).set("throughput", t.toJson(json));
            }
          }
        }
      }
    }
    return out;
  }

  private Braid start(boolean inProcess) throws Exception {
    Braid b =
        Braid.start(BraidConfig.builder().braidHome(cfg.home()).javaInProcess(inProcess).build());
    try {
      // the first call starts the Java worker (process mode) and loads the class
      b.function(FN).call("start").get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      b.close();
      throw e;
    }
    return b;
  }
}
