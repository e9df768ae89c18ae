package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.api.BraidConfig;
import dev.braid.api.WorkerListener;
import dev.braid.proto.api.v1.FunctionInfo;
import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.ListFunctionsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The public API reaching a remote pool: a standalone Python worker dials the server's worker
 * listener (plaintext, allowed on loopback only) and serves {@code python@edge:...} calls.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemotePoolServeTest {
  static TestServer server;
  static Process worker;
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("braid-remote-serve-");
    Path token = Files.writeString(dir.resolve("edge.token"), "serve-edge-token-0123456789\n");
    server =
        TestServer.start(
            TestServer.FLOWS,
            b -> b,
            null,
            cfg ->
                cfg.workerListener(
                    new WorkerListener(
                        "127.0.0.1", 0, null, null, null, Map.of("edge", token), null)));
    Path python = BraidConfig.builder().build().braidHome().resolve(".venv/bin/python");
    ProcessBuilder pb =
        new ProcessBuilder(
                python.toString(),
                "-m",
                "braid_worker",
                "--connect",
                "127.0.0.1:" + server.braid.workerListenPort(),
                "--pool",
                "edge",
                "--token-file",
                token.toString(),
                "--preload",
                "server_funcs")
            .directory(TestServer.FLOWS.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("worker.log").toFile());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    worker = pb.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (worker != null) {
      worker.destroy();
      if (!worker.waitFor(10, TimeUnit.SECONDS)) {
        worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void invokeReachesTheRemotePoolAndListFunctionsShowsItsCatalog() throws Exception {
    var r =
        server
            .blocking()
            .invoke(
                InvokeRequest.newBuilder()
                    .setFunction("python@edge:server_funcs:add")
                    .setArgsJson("[20, 22]")
                    .build());
    assertThat(r.getValueJson()).as(Files.readString(dir.resolve("worker.log"))).isEqualTo("42");
    List<String> refs =
        server
            .blocking()
            .listFunctions(ListFunctionsRequest.getDefaultInstance())
            .getFunctionsList()
            .stream()
            .map(FunctionInfo::getReference)
            .toList();
    assertThat(refs).contains("python@edge:server_funcs:add", "python:server_funcs:add");
  }

  @Test
  void aPoolTheServerHasNoTokenForIsAnInvalidArgument() {
    assertThatThrownBy(
            () ->
                server
                    .blocking()
                    .invoke(
                        InvokeRequest.newBuilder()
                            .setFunction("python@gpu:server_funcs:add")
                            .setArgsJson("[1, 2]")
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("no worker pool 'gpu'");
            });
  }
}
