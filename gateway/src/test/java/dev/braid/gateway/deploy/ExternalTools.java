package dev.braid.gateway.deploy;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Programs the deployment tests run (kubectl, kubernetes-validate, podman). A missing one skips the
 * calling test with the reason outside CI, and fails it under {@code CI=true}: .ci/run installs
 * every one, so a missing tool there is a broken CI, never a pass.
 */
final class ExternalTools {
  static final Path HOME = Path.of(System.getProperty("braid.home", "..")).toAbsolutePath();

  private ExternalTools() {}

  /** Skips (outside CI) or fails (in CI) the calling test because {@code why}. */
  static void missing(String why) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(why + " (CI=true: .ci/run must provide it)");
    }
    assumeTrue(false, why);
  }

  /** The first of {@code candidates} that is an executable file, or a name found on PATH. */
  static Path find(String name, List<Path> candidates) {
    for (Path p : candidates) {
      if (p != null && Files.isExecutable(p)) {
        return p;
      }
    }
    String path = System.getenv("PATH");
    for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (!dir.isEmpty() && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** The outcome of one bounded run of a program. */
  record Result(int exit, String out, String err) {}

  /**
   * Runs {@code command} (stdin closed) and waits at most {@code timeout}; a program still running
   * then is killed and the test fails.
   */
  static Result run(List<String> command, Duration timeout) throws IOException {
    Path out = Files.createTempFile("braid-tool", ".out");
    Path err = Files.createTempFile("braid-tool", ".err");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      boolean done;
      try {
        done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        done = false;
      }
      if (!done) {
        p.destroyForcibly();
        fail(String.join(" ", command) + ": still running after " + timeout);
      }
      return new Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
