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
 * A baseline server written in Python (a script in {@code bench/python/}), started as a child
 * process. The script prints {@code ready} on stdout once it listens; it stops when its stdin
 * closes or its client disconnects. Its stderr goes to a log file next to the results.
 */
final class PythonHelper implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  private final Process process;
  private final String name;

  private PythonHelper(Process process, String name) {
    this.process = process;
    this.name = name;
  }

  /** Starts {@code python script args...} and waits (bounded) for its {@code ready} line. */
  static PythonHelper start(BenchConfig cfg, String script, String... args)
      throws IOException, InterruptedException, TimeoutException {
    List<String> cmd = new ArrayList<>();
    cmd.add(cfg.python().toString());
    cmd.add(cfg.benchPython().resolve(script).toString());
    cmd.addAll(List.of(args));
    Path log = cfg.outDir().resolve(script.replace(".py", ".log"));
    Process p =
        new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    PythonHelper helper = new PythonHelper(p, script);
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
    try {
      String first = line.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!"ready".equals(first)) {
        throw new IOException(script + " did not start (see " + log + "): " + first);
      }
    } catch (ExecutionException | TimeoutException | IOException e) {
      helper.close();
      if (e instanceof TimeoutException t) {
        throw t;
      }
      throw new IOException(script + " did not start (see " + log + ")", e);
    }
    return helper;
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
