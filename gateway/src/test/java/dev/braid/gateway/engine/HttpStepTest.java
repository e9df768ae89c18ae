package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.braid.gateway.secrets.SecretSources;
import dev.braid.model.FailureCode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code http:} against a real local server on 127.0.0.1: the request's parts, the result's shape,
 * the failure mapping, retries, and that a step's timeout aborts the exchange in flight.
 */
class HttpStepTest extends EngineTestBase {
  private HttpServer server;
  private String base;
  private final AtomicInteger flakyCalls = new AtomicInteger();
  private final AtomicInteger statusCalls = new AtomicInteger();
  private final CountDownLatch abandoned = new CountDownLatch(1);
  private final AtomicReference<String> lastEcho = new AtomicReference<>();
  private static final String TOKEN = "tok-58c1e0d93b";

  @Override
  WorkflowEngine createEngine() {
    return new WorkflowEngine(braid)
        .secrets(SecretSources.of(Map.of("BRAID_SECRET_API_TOKEN", TOKEN), null));
  }

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/echo", this::echo);
    server.createContext("/text", x -> reply(x, 200, "text/plain", "hello"));
    server.createContext(
        "/status",
        x -> {
          statusCalls.incrementAndGet();
          reply(
              x,
              Integer.parseInt(x.getRequestURI().getPath().substring(8).split("/")[0]),
              "text/plain",
              "nope");
        });
    server.createContext(
        "/flaky",
        x -> {
          if (flakyCalls.incrementAndGet() <= 2) {
            reply(x, 503, "text/plain", "busy");
          } else {
            reply(x, 200, "application/json", "{\"calls\": " + flakyCalls.get() + "}");
          }
        });
    server.createContext("/endless", this::endless);
    server.createContext("/big", this::big);
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private void echo(HttpExchange x) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("method", x.getRequestMethod());
    o.put("path", x.getRequestURI().getRawPath());
    o.put("query", x.getRequestURI().getRawQuery());
    o.put("auth", x.getRequestHeaders().getFirst("Authorization"));
    o.put("type", x.getRequestHeaders().getFirst("Content-Type"));
    o.put("body", new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    x.getResponseHeaders().add("X-Served-By", "test");
    lastEcho.set(o.toString());
    reply(x, 201, "application/json; charset=utf-8", o.toString());
  }

  /** A body that never ends: a byte every 20 ms until the client goes away. */
  private void endless(HttpExchange x) throws IOException {
    x.sendResponseHeaders(200, 0);
    try (OutputStream out = x.getResponseBody()) {
      for (int i = 0; i < 3000; i++) {
        out.write('.');
        out.flush();
        Thread.sleep(20);
      }
    } catch (IOException e) {
      abandoned.countDown();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** 64 KiB past the engine's payload limit (16 MiB by default), in 64 KiB chunks. */
  private void big(HttpExchange x) throws IOException {
    int chunk = 64 << 10;
    long total = braid.config().maxPayloadBytes() + (long) chunk;
    x.getResponseHeaders().add("Content-Type", "text/plain");
    x.sendResponseHeaders(200, total);
    try (OutputStream out = x.getResponseBody()) {
      byte[] b = new byte[chunk];
      for (long sent = 0; sent < total; sent += chunk) {
        out.write(b);
      }
    } catch (IOException e) {
      // the client closed the connection at the limit
    }
  }

  private static void reply(HttpExchange x, int status, String type, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", type);
    x.sendResponseHeaders(status, b.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(b);
    }
  }

  @Test
  void postSendsJsonHeadersAndQueryAndTheResultHasStatusHeadersAndParsedBody() throws Exception {
    JsonNode r =
        run(
            """
            input: { base: string, token: string }
            steps:
              post:
                http:
                  method: POST
                  url: "${{ input.base }}/echo"
                  query: { q: "a b", n: [1, 2] }
                  headers: { Authorization: "Bearer ${{ input.token }}" }
                  body: { sku: A-1, qty: 2 }
                  expect: [201]
            output: "${{ steps.post }}"
            """,
            input("base", base, "token", "t0k"));

    assertThat(r.get("status").asInt()).isEqualTo(201);
    assertThat(r.get("headers").get("x-served-by").asText()).isEqualTo("test");
    JsonNode body = r.get("body");
    assertThat(body.get("method").asText()).isEqualTo("POST");
    assertThat(body.get("query").asText()).isEqualTo("q=a+b&n=1&n=2");
    assertThat(body.get("auth").asText()).isEqualTo("Bearer t0k");
    assertThat(body.get("type").asText()).isEqualTo("application/json");
    assertJson(JSON.readTree(body.get("body").asText()), "{'sku': 'A-1', 'qty': 2}");
  }

  @Test
  void aTextResponseIsText() throws Exception {
    JsonNode r =
        run(
            """
            input: { base: string }
            steps:
              get: { http: { url: "${{ input.base }}/text" } }
            output: "${{ steps.get.body }}"
            """,
            input("base", base));

    assertThat(r.asText()).isEqualTo("hello");
  }

  @Test
  void a4xxIsNotRetriedAndCarriesTheStatusInDetails() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { base: string }
            steps:
              get:
                http: { url: "${{ input.base }}/status/404" }
                retry: { max_attempts: 3, initial_interval: 10ms }
            """,
            input("base", base));

    assertThat(f.failure().code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(f.failure().type()).isEqualTo("HttpError");
    assertThat(f.failure().retryable()).isFalse();
    JsonNode details = JSON.readTree(f.failure().detailsJson());
    assertThat(details.get("status").asInt()).isEqualTo(404);
    assertThat(details.get("body").asText()).isEqualTo("nope");
    assertThat(attempts("get")).isEqualTo(1);
  }

  @Test
  void a5xxIsUnavailableAndRetriedUntilItSucceeds() throws Exception {
    JsonNode r =
        run(
            """
            input: { base: string }
            steps:
              get:
                http: { url: "${{ input.base }}/flaky" }
                retry: { max_attempts: 3, initial_interval: 10ms }
            output: "${{ steps.get.body.calls }}"
            """,
            input("base", base));

    assertThat(r.asInt()).isEqualTo(3);
    assertThat(attempts("get")).isEqualTo(3);
    assertThat(
            events.stream()
                .filter(e -> e.type() == RunEvent.Type.RETRY_SCHEDULED)
                .map(e -> e.failure().code()))
        .containsOnly(FailureCode.UNAVAILABLE);
  }

  @Test
  void theCircuitBreakerOfTheOriginOpensAndStopsTheRequests() throws Exception {
    JsonNode r =
        run(
            """
            input: { base: string }
            steps:
              each:
                for_each: [1, 2, 3, 4]
                mode: settled
                do:
                  http: { url: "${{ input.base }}/status/503" }
                  circuit_breaker: { failure_threshold: 2, reset_timeout: 60s }
            output: "${{ steps.each }}"
            """,
            input("base", base));

    assertThat(statusCalls.get()).as("requests the server saw").isEqualTo(2);
    assertThat(r.get(0).get("error").get("type").asText()).isEqualTo("HttpError");
    assertThat(r.get(2).get("error").get("type").asText()).isEqualTo("CircuitOpen");
    assertThat(r.get(3).get("error").get("code").asText()).isEqualTo("UNAVAILABLE");
  }

  @Test
  void aResponseLargerThanThePayloadLimitIsRefusedWithoutReadingItAll() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { base: string }
            steps:
              get: { http: { url: "${{ input.base }}/big" } }
            """,
            input("base", base));

    assertThat(f.failure().code()).isEqualTo(FailureCode.RESOURCE_EXHAUSTED);
    assertThat(f.failure().type()).isEqualTo("ResponseTooLarge");
    assertThat(f.failure().message())
        .contains("larger than " + braid.config().maxPayloadBytes() + " bytes");
  }

  @Test
  void theQueryIsNotShownInMessagesOrEventsForItMayHoldCredentials() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { base: string }
            steps:
              get: { http: { url: "${{ input.base }}/status/404", query: { api_key: s3cret } } }
            """,
            input("base", base));

    assertThat(f.failure().message()).contains("/status/404").doesNotContain("s3cret");
    assertThat(f.failure().detailsJson()).doesNotContain("s3cret");
    assertThat(events)
        .allSatisfy(e -> assertThat(String.valueOf(e.function())).doesNotContain("s3cret"));
    assertThat(events)
        .anySatisfy(e -> assertThat(String.valueOf(e.function())).contains("/status/404"));
  }

  @Test
  void secretsReachTheUrlHeadersQueryAndBodyAndAreMaskedInTheResultAndEvents() throws Exception {
    JsonNode r =
        run(
            """
            secrets: [API_TOKEN]
            input: { base: string }
            steps:
              post:
                http:
                  method: POST
                  url: "${{ input.base }}/echo/${{ secrets.API_TOKEN }}"
                  headers: { Authorization: "Bearer ${{ secrets.API_TOKEN }}" }
                  query: { key: "${{ secrets.API_TOKEN }}" }
                  body: { token: "${{ secrets.API_TOKEN }}" }
                  expect: [201]
            output: "${{ steps.post.body }}"
            """,
            input("base", base));

    JsonNode seen = JSON.readTree(lastEcho.get());
    assertThat(seen.get("path").asText()).isEqualTo("/echo/" + TOKEN);
    assertThat(seen.get("auth").asText()).isEqualTo("Bearer " + TOKEN);
    assertThat(seen.get("query").asText()).isEqualTo("key=" + TOKEN);
    assertThat(JSON.readTree(seen.get("body").asText()).get("token").asText()).isEqualTo(TOKEN);
    assertThat(r.get("auth").asText()).isEqualTo("Bearer ***");
    assertThat(r.toString()).doesNotContain(TOKEN);
    assertThat(events)
        .anySatisfy(e -> assertThat(e.function()).isEqualTo("POST " + base + "/echo/***"));
    assertThat(events.toString()).doesNotContain(TOKEN);
  }

  @Test
  void aFailedRequestWithASecretInItsPathShowsItMasked() throws Exception {
    StepFailedException f =
        runFailing(
            """
            secrets: [API_TOKEN]
            input: { base: string }
            steps:
              get: { http: { url: "${{ input.base }}/status/404/${{ secrets.API_TOKEN }}" } }
            """,
            input("base", base));

    assertThat(f.failure().code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(f.failure().message()).contains("/status/404/*** answered 404");
    assertThat(f.failure().render()).doesNotContain(TOKEN);
    assertThat(f.failure().detailsJson()).contains("/status/404/***").doesNotContain(TOKEN);
    assertThat(events.toString()).contains("/status/404/***").doesNotContain(TOKEN);
  }

  @Test
  void aRefusedConnectionIsUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    StepFailedException f =
        runFailing(
            """
            input: { url: string }
            steps:
              get: { http: { url: "${{ input.url }}" } }
            """,
            input("url", "http://127.0.0.1:" + closedPort + "/"));

    assertThat(f.failure().code()).isEqualTo(FailureCode.UNAVAILABLE);
    assertThat(f.failure().retryable()).isTrue();
  }

  @Test
  void theStepsTimeoutAbortsTheExchangeInFlight() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { base: string }
            steps:
              get: { http: { url: "${{ input.base }}/endless" }, timeout: 300ms }
            """,
            input("base", base));

    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    // the server sees the connection closed long before its 60 s body would end
    assertThat(abandoned.await(20, TimeUnit.SECONDS))
        .as("the server saw the exchange end")
        .isTrue();
  }

  @Test
  void cancellingTheRunAbortsTheExchangeInFlight() throws Exception {
    var run =
        start(
            """
            input: { base: string }
            steps:
              get: { http: { url: "${{ input.base }}/endless" } }
            """,
            input("base", base));
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!started("get") && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    Thread.sleep(100);
    run.cancel();

    assertThat(failure(run).failure().code()).isEqualTo(FailureCode.CANCELLED);
    assertThat(abandoned.await(20, TimeUnit.SECONDS))
        .as("the server saw the exchange end")
        .isTrue();
  }

  @Test
  void aNonHttpUrlFromAnExpressionIsRefused() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { url: string }
            steps:
              get: { http: { url: "${{ input.url }}" } }
            """,
            input("url", "file:///etc/passwd"));

    assertThat(f.failure().code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(f.failure().message()).contains("not an http:// or https:// URL");
  }

  private long attempts(String step) {
    return events.stream()
        .filter(e -> e.type() == RunEvent.Type.ATTEMPT_STARTED && step.equals(e.step()))
        .count();
  }
}
