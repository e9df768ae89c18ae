package dev.braid.gateway.cli.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.braid.gateway.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code braid} CLI started as a real process in a session of its own ({@code setsid}), so that a
 * crash can be simulated the way it happens: {@code kill -9} of the gateway's whole process group,
 * its worker processes included. stdout and stderr go to files in {@code dir}.
 */
final class GatewayProcess implements AutoCloseable {
  private static final Pattern RUN_ID = Pattern.compile("(?m)^run (\\S+)$");

  private final Process process;
  private final Path out;
  private final Path err;

  private GatewayProcess(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /** Starts {@code braid ARGS...}; its output goes to {@code dir/NAME.out} and {@code .err}. */
  static GatewayProcess start(Path dir, String name, String... args) throws IOException {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "setsid",
                java.toString(),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                cp,
                "-Dbraid.home=" + System.getProperty("braid.home"),
                Main.class.getName()));
    cmd.addAll(List.of(args));
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    return new GatewayProcess(p, out, err);
  }

  long pid() {
    return process.pid();
  }

  String out() {
    return read(out);
  }

  String err() {
    return read(err);
  }

  /** Both streams, for assertion messages. */
  String log() {
    return "stdout:\n" + out() + "\nstderr:\n" + err();
  }

  /** The id the CLI printed on stderr ({@code run <id>}), waiting for it. */
  String runId(Duration within) throws InterruptedException {
    String[] id = new String[1];
    await(
        "the run id on stderr",
        within,
        () -> {
          Matcher m = RUN_ID.matcher(err());
          if (m.find()) {
            id[0] = m.group(1);
            return true;
          }
          return false;
        });
    return id[0];
  }

  /** Waits until {@code condition} holds, failing with the CLI's output if it does not in time. */
  void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("waited %s for %s; the CLI %s:%n%s", within, what, state(), log());
      }
      Thread.sleep(25);
    }
  }

  private String state() {
    return process.isAlive() ? "is running" : "exited " + process.exitValue();
  }

  /** Waits for the CLI to exit and returns its exit code. */
  int exitCode(Duration within) throws InterruptedException {
    boolean exited = process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(exited).as("the CLI exits within %s:%n%s", within, log()).isTrue();
    return process.exitValue();
  }

  /** Sends SIGINT, as Ctrl-C on a terminal does. */
  void interrupt() throws IOException, InterruptedException {
    signal("-INT", Long.toString(process.pid()));
  }

  /**
   * {@code kill -9} of the gateway's process group and of every process it started (workers that
   * made sessions of their own included): nothing runs a shutdown hook, nothing is flushed.
   */
  void crash() throws IOException, InterruptedException {
    List<ProcessHandle> tree = process.descendants().toList();
    signal("-KILL", "--", "-" + process.pid());
    for (ProcessHandle h : tree) {
      h.destroyForcibly();
    }
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("killed").isTrue();
    for (ProcessHandle h : tree) {
      h.onExit().orTimeout(20, TimeUnit.SECONDS).exceptionally(t -> h).join();
    }
  }

  private static void signal(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("kill"));
    cmd.addAll(List.of(args));
    Process kill = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "(cannot read " + p + ": " + e + ")";
    }
  }
}
