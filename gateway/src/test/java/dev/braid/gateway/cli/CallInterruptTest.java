package dev.braid.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C on {@code braid call}: the call is cancelled, the coroutine observes it, exit 130. */
@Timeout(120)
class CallInterruptTest {
  @TempDir Path folder;

  @Test
  void sigintCancelsTheCallAndExits130() throws Exception {
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
                    "call",
                    "python:slow:sleep_marked",
                    "\"" + folder + "\"",
                    "60",
                    "--python-path",
                    Path.of("src/test/python").toAbsolutePath().toString()))
            .redirectErrorStream(true)
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(folder.resolve("started")) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(folder.resolve("started")).exists();

      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(cli.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();

      assertThat(cli.waitFor(30, TimeUnit.SECONDS)).as("the CLI exits after Ctrl-C").isTrue();
      assertThat(cli.exitValue()).isEqualTo(130);
      assertThat(Files.readString(folder.resolve("cancelled"))).isEqualTo("cancelled");
    } finally {
      cli.destroyForcibly();
    }
  }
}
