package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client whose gRPC deadline passes while the server still works gets {@code DEADLINE_EXCEEDED},
 * never {@code CANCELLED}: the server's deadline owner (the run's or the call's scope, set a little
 * before the transport's own timer) answers with the status before grpc's server-side deadline
 * timer resets the stream (RST_STREAM CANCEL, which @grpc/grpc-js reports as CANCELLED). Several
 * concurrent Node clients repeat it, bounded in count; 127.0.0.1 only.
 */
@Timeout(240)
class ClientDeadlineStatusTest {
  static final Path HOME = Path.of(System.getProperty("braid.home", "..")).toAbsolutePath();
  static final Path SCRIPT = Path.of("src/test/node/deadline_clients.mjs").toAbsolutePath();
  static TestServer ts;

  /** One call at a time: the other clients' calls wait for a slot until their deadline passes. */
  static TestServer oneSlot;

  @BeforeAll
  static void start() throws Exception {
    ts = TestServer.start(HOME.resolve("examples/clients/flows"), b -> b);
    oneSlot =
        TestServer.start(
            HOME.resolve("examples/clients/flows"), b -> b.maxConcurrentCalls(1).maxQueued(64));
  }

  @AfterAll
  static void stop() {
    for (TestServer s : new TestServer[] {ts, oneSlot}) {
      if (s != null) {
        s.close();
      }
    }
  }

  @Test
  void runWorkflowClientsWhoseDeadlinePassesSeeOnlyDeadlineExceeded() throws Exception {
    JsonNode r = clients("run");
    assertThat(r.get("counts").fieldNames())
        .toIterable()
        .as(r.toString())
        .containsExactly("DEADLINE_EXCEEDED");
  }

  @Test
  void invokeStreamClientsWhoseDeadlinePassesSeeOnlyDeadlineExceeded() throws Exception {
    JsonNode r = clients("stream");
    assertThat(r.get("counts").fieldNames())
        .toIterable()
        .as(r.toString())
        .containsExactly("DEADLINE_EXCEEDED");
  }

  @Test
  void unaryInvokeClientsWhoseDeadlinePassesSeeOnlyDeadlineExceeded() throws Exception {
    JsonNode r = clients(ts, "invoke");
    assertThat(r.get("counts").fieldNames())
        .toIterable()
        .as(r.toString())
        .containsExactly("DEADLINE_EXCEEDED");
  }

  @Test
  void invokeClientsStillQueuedForASlotWhenTheirDeadlinePassesSeeOnlyDeadlineExceeded()
      throws Exception {
    JsonNode r = clients(oneSlot, "invoke");
    assertThat(r.get("counts").fieldNames())
        .toIterable()
        .as(r.toString())
        .containsExactly("DEADLINE_EXCEEDED");
    // some never got the slot: the admission queue's timer answered them, not grpc's reset
    assertThat(r.get("details").path("DEADLINE_EXCEEDED").toString())
        .as(r.toString())
        .contains("while waiting for a free call slot");
  }

  private static JsonNode clients(String kind) throws Exception {
    return clients(ts, kind);
  }

  /** 8 clients x 12 calls with a 200 ms deadline; the status counts. */
  private static JsonNode clients(TestServer server, String kind) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(List.of("node", SCRIPT.toString()))
            .redirectErrorStream(true)
            .directory(HOME.toFile());
    pb.environment().put("BRAID_TOKEN", TestServer.TOKEN);
    pb.environment().put("BRAID_TARGET", "127.0.0.1:" + server.server.port());
    pb.environment().put("KIND", kind);
    pb.environment().put("CLIENTS", "8");
    pb.environment().put("CALLS", "12");
    pb.environment().put("DEADLINE_MS", "200");
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] bytes = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the clients finished").isTrue();
    String out = new String(bytes, StandardCharsets.UTF_8).trim();
    assertThat(p.exitValue()).as("exit of the clients:%n%s", out).isZero();
    String last = out.substring(out.lastIndexOf('\n') + 1);
    JsonNode r = new ObjectMapper().readTree(last);
    assertThat(r.get("counts").path("DEADLINE_EXCEEDED").asInt()).as(out).isPositive();
    return r;
  }
}
