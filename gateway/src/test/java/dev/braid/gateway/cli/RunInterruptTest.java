package dev.braid.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C on {@code braid run}: the running step is cancelled (the coroutine observes it), the
 * {@code finally} block still runs, and the CLI exits 130.
 */
@Timeout(120)
class RunInterruptTest {
  @TempDir Path folder;

  @Test
  void sigintCancelsTheRunRunsFinallyAndExits130() throws Exception {
    Path flow = folder.resolve("flow.yaml");
    Files.writeString(
        flow,
        """
        input: { dir: string }
        steps:
          guarded:
            try:
              steps:
                slow: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60] }
            finally:
              steps:
                cleanup: { call: python:engine_funcs:mark, args: ["${{ input.dir }}", finally-ran] }
        """);
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process cli =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    cp,
                    "-Dbraid.home=" + System.getProperty("braid.home"),
                    Main.class.getName(),
                    "run",
                    flow.toString(),
                    "--input",
                    "{\"dir\": \"" + folder + "\"}",
                    "--progress",
                    "plain",
                    "--python-path",
                    Path.of("src/test/python").toAbsolutePath().toString()))
            .redirectErrorStream(true)
            .redirectOutput(folder.resolve("cli.log").toFile())
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(folder.resolve("started"))
          && cli.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(folder.resolve("started"))
          .as(
              "the slow step started; the CLI said:%n%s",
              Files.readString(folder.resolve("cli.log")))
          .exists();

      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(cli.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();

      assertThat(cli.waitFor(60, TimeUnit.SECONDS)).as("the CLI exits after Ctrl-C").isTrue();
      String log = Files.readString(folder.resolve("cli.log"));
      assertThat(cli.exitValue()).as(log).isEqualTo(130);
      assertThat(Files.readString(folder.resolve("cancelled"))).as(log).isEqualTo("cancelled");
      assertThat(folder.resolve("finally-ran")).as(log).exists();
    } finally {
      cli.destroyForcibly();
    }
  }
}
