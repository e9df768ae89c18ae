package dev.braid.it.remote;

import dev.braid.api.BraidConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A standalone worker process ({@code python -m braid_worker --connect ...} or the Node equivalent)
 * started by a test, its output in a log file. {@link #close()} stops it by its own PID (SIGTERM,
 * then SIGKILL after 5 s).
 */
public final class StandaloneWorker implements AutoCloseable {
  static final Path HOME = BraidConfig.builder().build().braidHome();
  static final Path PY_FUNCS = Path.of("src/test/python").toAbsolutePath();

  private final Process process;
  private final Path log;

  private StandaloneWorker(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** {@code prefix} runs before the command, e.g. {@code ip netns exec NS}; may be empty. */
  public static StandaloneWorker python(Path dir, List<String> prefix, String... flags)
      throws IOException {
    return pythonIn(dir, prefix, PY_FUNCS, flags);
  }

  /** A Python worker whose working directory (its default --root) is {@code workDir}. */
  public static StandaloneWorker pythonIn(
      Path dir, List<String> prefix, Path workDir, String... flags) throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(HOME.resolve(".venv/bin/python").toString());
    cmd.add("-m");
    cmd.add("braid_worker");
    cmd.addAll(List.of(flags));
    return start(dir, cmd, workDir);
  }

  public static StandaloneWorker node(Path dir, List<String> prefix, Path workDir, String... flags)
      throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add("node");
    cmd.add(HOME.resolve("node-worker/bin/braid-worker.mjs").toString());
    cmd.addAll(List.of(flags));
    return start(dir, cmd, workDir);
  }

  private static StandaloneWorker start(Path dir, List<String> cmd, Path workDir)
      throws IOException {
    Path log = Files.createTempFile(dir, "worker-", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    // the test JVM's environment may hold anything: pass only what a worker needs
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().put("HOME", System.getProperty("java.io.tmpdir"));
    return new StandaloneWorker(pb.start(), log);
  }

  public long pid() {
    return process.pid();
  }

  public Process process() {
    return process;
  }

  /** What the worker printed so far. */
  public String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "<cannot read " + log + ": " + e + ">";
    }
  }

  /** Waits up to {@code seconds} for the exit; its code, or -1 if it still runs. */
  public int awaitExit(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
