package dev.braid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process per call, what a plain ProcessBuilder wrapper does: start {@code python -c '...'} with
 * the JSON argument, read the JSON it prints, wait for it to exit.
 */
final class ProcessPerCallBench {
  private static final Logger log = LoggerFactory.getLogger(ProcessPerCallBench.class);
  static final String SCRIPT = "import json,sys; print(json.dumps(json.loads(sys.argv[1])))";

  private final BenchConfig cfg;
  private final String argJson;

  ProcessPerCallBench(BenchConfig cfg, String argJson) {
    this.cfg = cfg;
    this.argJson = argJson;
  }

  ObjectNode run(ObjectMapper json) throws Exception {
    log.info("process per call: {} -c ...", cfg.python());
    long[] nanos = Harness.sequential(3, cfg.quick() ? 10 : 30, this::once);
    return json.createObjectNode()
        .put("interpreter", cfg.python().toString())
        .put("script", SCRIPT)
        .set("latency", Latency.of(nanos).toJson(json));
  }

  private void once() throws IOException, InterruptedException, TimeoutException {
    Process p =
        new ProcessBuilder(cfg.python().toString(), "-c", SCRIPT, argJson)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    // reading stdout blocks until the process exits: a watchdog bounds it
    CompletableFuture<Void> killer =
        CompletableFuture.runAsync(
            p::destroyForcibly, CompletableFuture.delayedExecutor(10, TimeUnit.SECONDS));
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new TimeoutException("python -c did not exit within 10s");
      }
    } finally {
      killer.cancel(false);
    }
    if (p.exitValue() != 0 || !out.equals(argJson)) {
      throw new IOException("python -c failed (exit " + p.exitValue() + "): " + out);
    }
  }
}
