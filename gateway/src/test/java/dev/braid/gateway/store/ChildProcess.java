package dev.braid.gateway.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link StoreChild} JVM: its output lines, and a SIGKILL. */
final class ChildProcess implements AutoCloseable {
  final Process process;
  final BufferedReader out;

  ChildProcess(String mode, String location) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process =
        new ProcessBuilder(
                List.of(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    StoreChild.class.getName(),
                    mode,
                    location))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** The next line, or an error when the child ended first. */
  String line() throws IOException {
    String l = out.readLine();
    if (l == null) {
      throw new IOException("the child process ended without a line");
    }
    return l;
  }

  /**
   * kill -9, and wait (bounded) until it is gone. Sent with kill(1): {@link
   * Process#destroyForcibly} would also close our end of its output, and the lines it printed
   * before dying are wanted.
   */
  void kill() throws InterruptedException {
    try {
      new ProcessBuilder("kill", "-KILL", Long.toString(process.pid()))
          .inheritIO()
          .start()
          .waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      process.destroyForcibly();
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the child survived SIGKILL");
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
