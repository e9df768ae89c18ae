package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client's inline workflow cannot make the gateway reach hosts the operator did not allow ({@code
 * --allow-http}): refused before the run, with the place in the workflow; allowed hosts are
 * reached.
 */
@Timeout(120)
class InlineHttpTest {
  private HttpServer http;
  private final AtomicInteger requests = new AtomicInteger();
  private TestServer ts;

  @BeforeEach
  void startHttp() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/",
        x -> {
          requests.incrementAndGet();
          byte[] b = "{\"ok\": true}".getBytes(StandardCharsets.UTF_8);
          x.getResponseHeaders().add("Content-Type", "application/json");
          x.sendResponseHeaders(200, b.length);
          try (OutputStream out = x.getResponseBody()) {
            out.write(b);
          }
        });
    http.start();
  }

  @AfterEach
  void stop() {
    http.stop(0);
    if (ts != null) {
      ts.close();
    }
  }

  private String flow(String url) {
    return "steps:\n  get: { http: { url: \"" + url + "\" } }\noutput: \"${{ steps.get.body }}\"\n";
  }

  private int port() {
    return http.getAddress().getPort();
  }

  private static StatusRuntimeException refused(BraidGrpc.BraidBlockingStub stub, String yaml) {
    Throwable t =
        catchThrowable(
            () ->
                stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                    .runWorkflow(RunWorkflowRequest.newBuilder().setDefinition(yaml).build())
                    .hasNext());
    assertThat(t).isInstanceOf(StatusRuntimeException.class);
    return (StatusRuntimeException) t;
  }

  @Test
  void withoutAllowHttpAnInlineHttpStepIsRefusedBeforeAnyRequest() throws Exception {
    ts = TestServer.start();
    StatusRuntimeException e =
        refused(ts.blocking(), flow("http://127.0.0.1:" + port() + "/secret"));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(e.getStatus().getDescription())
        .contains("inline:2:")
        .contains("an inline workflow may not make http requests")
        .contains("--allow-http");
    assertThat(requests.get()).isZero();
  }

  @Test
  void withAllowHttpOnlyTheAllowedHostsAreReached() throws Exception {
    ExposurePolicy allowed = exposure().allowHttp(List.of("127.0.0.1:" + port()));
    ts = TestServer.start(b -> b.exposure(allowed));
    BraidGrpc.BraidBlockingStub stub = ts.blocking();

    Iterator<RunEvent> it =
        stub.withDeadlineAfter(30, TimeUnit.SECONDS)
            .runWorkflow(
                RunWorkflowRequest.newBuilder()
                    .setDefinition(flow("http://127.0.0.1:" + port() + "/items"))
                    .build());
    RunEvent last = null;
    while (it.hasNext()) {
      last = it.next();
    }
    assertThat(last.getResultJson()).isEqualTo("{\"ok\":true}");
    assertThat(requests.get()).isEqualTo(1);

    StatusRuntimeException other = refused(stub, flow("http://localhost:" + port() + "/items"));
    assertThat(other.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(other.getStatus().getDescription()).contains("host 'localhost:" + port() + "'");

    // a host from an expression could be anything: refused though the input would be allowed
    StatusRuntimeException computed =
        refused(
            stub,
            "input: { u: { type: string, default: \"http://127.0.0.1:"
                + port()
                + "/\" } }\nsteps:\n  get: { http: { url: \"${{ input.u }}\" } }\n");
    assertThat(computed.getStatus().getDescription()).contains("must be written out");
    assertThat(requests.get()).isEqualTo(1);
  }

  private static ExposurePolicy exposure() throws IOException {
    return ExposurePolicy.of(TestServer.workerConfig(TestServer.FLOWS).build());
  }
}
