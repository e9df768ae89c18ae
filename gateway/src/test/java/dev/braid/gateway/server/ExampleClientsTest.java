package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The example clients of examples/clients, in Python (grpcio) and Node (@grpc/grpc-js), run against
 * a real server: each runs a workflow streaming its events, cancels a run midway and shows how
 * failures arrive. This is how they run in CI.
 */
@Timeout(180)
class ExampleClientsTest {
  static final Path HOME = Path.of(System.getProperty("braid.home", "..")).toAbsolutePath();
  static final Path CLIENTS = HOME.resolve("examples/clients");
  static TestServer ts;

  @BeforeAll
  static void start() throws Exception {
    ts = TestServer.start(CLIENTS.resolve("flows"), b -> b);
  }

  @AfterAll
  static void stop() {
    if (ts != null) {
      ts.close();
    }
  }

  @Test
  void thePythonClient() throws Exception {
    Path python = HOME.resolve(".venv/bin/python");
    assumeTrue(Files.isExecutable(python), "the project's .venv (./braid creates it)");
    String out = run(List.of(python.toString(), CLIENTS.resolve("python/client.py").toString()));
    expectTheWholeTour(out);
  }

  @Test
  void theNodeClient() throws Exception {
    String out = run(List.of("node", CLIENTS.resolve("node/client.mjs").toString()));
    expectTheWholeTour(out);
  }

  @Test
  void thePythonStubsAreCurrent() throws Exception {
    Path python = HOME.resolve(".venv/bin/python");
    assumeTrue(Files.isExecutable(python), "the project's .venv (./braid creates it)");
    Process probe =
        new ProcessBuilder(python.toString(), "-c", "import grpc_tools")
            .redirectErrorStream(true)
            .start();
    assumeTrue(
        probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0,
        "grpcio-tools (the worker's test extra) checks the stubs");
    run(List.of(python.toString(), CLIENTS.resolve("python/gen_stubs.py").toString(), "--check"));
  }

  private static void expectTheWholeTour(String out) {
    assertThat(out)
        .contains(
            "run finished: ok, result [\"tick 0\",\"tick 1\",\"tick 2\",\"tick 3\",\"tick 4\"]")
        .contains("cancelling run run-")
        .contains("the stream ended: CANCELLED (by us)")
        .containsPattern("run run-[0-9a-f]+ is now RUN_STATE_CANCELLED")
        .contains("the function raised: ValueError: no tick -1 (python)")
        .contains("unknown function: INVALID_ARGUMENT")
        .contains("failure record: code INVALID_ARGUMENT")
        .contains("without a token: UNAUTHENTICATED");
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).directory(HOME.toFile());
    pb.environment().put("BRAID_TOKEN", TestServer.TOKEN);
    pb.environment().put("BRAID_TARGET", "127.0.0.1:" + ts.server.port());
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] bytes = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    String out = new String(bytes, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("exit of %s:%n%s", command, out).isZero();
    return out;
  }
}
