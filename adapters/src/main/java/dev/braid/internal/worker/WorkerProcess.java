package dev.braid.internal.worker;

import dev.braid.api.LogMasks;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker OS process: started with a cleared environment, its stdout and stderr copied line by
 * line into the gateway's log (logger {@code braid.worker.<id>}), stopped by killing its whole
 * process tree. Thread-safe.
 */
public final class WorkerProcess {
  private static final int KEPT_STDERR_LINES = 30;

  private final String id;
  private final Process process;
  private final Logger log;
  private final Deque<String> lastStderr = new ArrayDeque<>();

  private WorkerProcess(String id, Process process) {
    this.id = id;
    this.process = process;
    this.log = LoggerFactory.getLogger("braid.worker." + id);
    pump(process.getInputStream(), false);
    pump(process.getErrorStream(), true);
  }

  /**
   * Starts a worker.
   *
   * @throws IOException when the program cannot be started (e.g. the interpreter is missing)
   */
  public static WorkerProcess start(
      String id, List<String> command, Map<String, String> env, Path workingDirectory)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(workingDirectory.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    // the hub token goes through stdin, not the environment: a process's initial environment
    // stays readable in /proc/<pid>/environ even after the worker removes it from os.environ
    String token = pb.environment().remove("BRAID_TOKEN");
    if (token != null) {
      pb.environment().put("BRAID_TOKEN_STDIN", "1");
    }
    pb.redirectInput(ProcessBuilder.Redirect.PIPE);
    Process p = pb.start();
    // one short line fits any pipe buffer: this never blocks; then stdin is closed so nothing
    // can block on it
    try (OutputStream stdin = p.getOutputStream()) {
      if (token != null) {
        stdin.write((token + "\n").getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the worker died at once; its exit is reported like any other start failure
    }
    return new WorkerProcess(id, p);
  }

  public String id() {
    return id;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Completes when the process has exited. */
  public CompletableFuture<Process> onExit() {
    return process.onExit();
  }

  /** "exit code 1" or "signal 9" — how the process ended, for messages. */
  public String exitDescription() {
    if (process.isAlive()) {
      return "still running";
    }
    int code = process.exitValue();
    return code > 128 ? "signal " + (code - 128) : "exit code " + code;
  }

  /** The last lines the worker wrote to stderr, newest last. */
  public String recentStderr() {
    synchronized (lastStderr) {
      return String.join("\n", lastStderr);
    }
  }

  /**
   * Kills the process and every descendant. The descendants are listed before the parent dies,
   * because once it is gone they are re-parented and can no longer be found from it.
   */
  public void killTree() {
    ProcessHandle h = process.toHandle();
    List<ProcessHandle> descendants = h.descendants().toList();
    h.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  /** Waits up to {@code millis} for the process to exit. */
  public boolean awaitExit(long millis) {
    try {
      return process.waitFor(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void pump(InputStream in, boolean stderr) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  // a function that prints a run's secret: the log shows it masked
                  line = LogMasks.mask(line);
                  if (stderr) {
                    synchronized (lastStderr) {
                      if (lastStderr.size() == KEPT_STDERR_LINES) {
                        lastStderr.removeFirst();
                      }
                      lastStderr.addLast(line);
                    }
                  }
                  log.info("{}", line);
                }
              } catch (IOException e) {
                // the process is gone; nothing more to copy
              }
            },
            "braid-" + id + (stderr ? "-stderr" : "-stdout"));
    t.setDaemon(true);
    t.start();
  }
}
