package dev.braid.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A baseline server written for Node (a script in {@code bench/node/}), started as a child process:
 * the Node twin of {@link PythonHelper}. The script prints {@code ready [what]} on stdout once it
 * listens; it stops when its stdin closes or its client disconnects. Its stderr goes to a log file
 * next to the results. {@code node} is {@code BRAID_NODE}, else {@code node} on PATH (as for
 * Braid's own Node workers).
 */
final class NodeHelper implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  private final Process process;
  private final String name;
  private final String banner;

  private NodeHelper(Process process, String name, String banner) {
    this.process = process;
    this.name = name;
    this.banner = banner;
  }

  /** The {@code node} the bench and Braid's Node workers run. */
  static String executable() {
    String node = System.getenv("BRAID_NODE");
    return node == null || node.isBlank() ? "node" : node;
  }

  /** {@code bench/node/}: the helper scripts and the bench functions. */
  static Path dir(BenchConfig cfg) {
    return cfg.home().resolve("bench/node");
  }

  /** Starts {@code node script args...} and waits (bounded) for its {@code ready} line. */
  static NodeHelper start(BenchConfig cfg, String script, String... args)
      throws IOException, InterruptedException, TimeoutException {
    List<String> cmd = new ArrayList<>();
    cmd.add(executable());
    cmd.add(dir(cfg).resolve(script).toString());
    cmd.addAll(List.of(args));
    Path log = cfg.outDir().resolve("node-" + script.replace(".mjs", ".log"));
    Process p =
        new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
              } catch (IOException e) {
                return null;
              }
            });
    String first;
    try {
      first = line.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      new NodeHelper(p, script, "").close();
      if (e instanceof TimeoutException t) {
        throw t;
      }
      throw new IOException(script + " did not start (see " + log + ")", e);
    }
    if (first == null || !(first.equals("ready") || first.startsWith("ready "))) {
      new NodeHelper(p, script, "").close();
      throw new IOException(script + " did not start (see " + log + "): " + first);
    }
    return new NodeHelper(p, script, first.substring("ready".length()).trim());
  }

  /** What the script printed after {@code ready} (e.g. versions), or "". */
  String banner() {
    return banner;
  }

  /** Closes stdin (the stop signal), then escalates to SIGTERM and SIGKILL. Idempotent. */
  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(3, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(2, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
        }
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
