package dev.braid.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The gateway JVM is killed with SIGKILL: no worker process may survive it. */
class GatewayKilledTest extends WorkerTestBase {

  @Test
  void noWorkerSurvivesTheGatewayBeingKilled() throws Exception {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    cp,
                    "-Dbraid.home=" + System.getProperty("braid.home", ""),
                    GatewayProcessMain.class.getName(),
                    FUNCS.toString(),
                    marker()))
            .redirectErrorStream(true);
    Process gateway = pb.start();
    try {
      CompletableFuture<Long> workerPid =
          CompletableFuture.supplyAsync(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    if (line.startsWith("WORKER ")) {
                      return Long.parseLong(line.substring(7).trim());
                    }
                  }
                  throw new IllegalStateException("the gateway exited before starting a worker");
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      long pid = workerPid.get(60, TimeUnit.SECONDS);
      awaitMarker("started"); // the worker is busy in a call when the gateway dies
      assertThat(ProcessHandle.of(pid)).isPresent();

      gateway.destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).isTrue();

      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);
    } finally {
      gateway.destroyForcibly();
    }
  }
}
