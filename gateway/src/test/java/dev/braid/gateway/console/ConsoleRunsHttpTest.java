package dev.braid.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The console's run endpoints over HTTP, on a real server: sessions, CSRF, bounds, not found. */
@Timeout(120)
class ConsoleRunsHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);
  static LiveConsole live;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path folder;

  @BeforeAll
  static void start() throws Exception {
    live = LiveConsole.start();
  }

  @AfterAll
  static void stop() {
    if (live != null) {
      live.close();
    }
  }

  @Test
  void runsNeedASession() throws Exception {
    assertThat(get("/api/runs", null).statusCode()).isEqualTo(401);
    assertThat(get("/api/runs/run-x", null).statusCode()).isEqualTo(401);
    assertThat(post("/api/runs/run-x/cancel", null, null).statusCode()).isEqualTo(401);
  }

  @Test
  void aTokenWithoutTheRunScopeGetsNoSessionToSeeOrCancelRuns() throws Exception {
    // the console's sessions all carry `run`, CancelRun's scope: an invoke-only token gets none
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create(live.base + "/api/login"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"token\":\"" + ConsoleHttpTest.INVOKE_TOKEN + "\"}")));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("set-cookie")).isEmpty();
  }

  @Test
  void aFinishedRunIsListedWithItsSteps() throws Exception {
    String cookie = login()[0];
    String id = live.startRun("greet", "{\"name\": \"ada\"}");
    JsonNode run = awaitStatus(cookie, id, "succeeded");
    assertThat(run.get("run").get("workflow").asText()).isEqualTo("greet");
    assertThat(run.get("steps")).hasSize(2);
    JsonNode sum = run.get("steps").get(1);
    assertThat(sum.get("step").asText()).isEqualTo("sum");
    assertThat(sum.get("language").asText()).isEqualTo("python");
    assertThat(sum.get("status").asText()).isEqualTo("ok");
    assertThat(sum.get("attempts").asInt()).isEqualTo(1);
    JsonNode list = body(get("/api/runs?workflow=greet&status=succeeded", cookie));
    assertThat(list.get("runs").findValuesAsText("id")).contains(id);
    JsonNode byPrefix = body(get("/api/runs?q=" + id.substring(0, 12), cookie));
    assertThat(byPrefix.get("runs").findValuesAsText("id")).contains(id);
    JsonNode none = body(get("/api/runs?workflow=slow&status=succeeded&q=" + id, cookie));
    assertThat(none.get("runs")).isEmpty();
  }

  @Test
  void aFailedRunShowsItsFailure() throws Exception {
    String cookie = login()[0];
    String id = live.startRun("failing", "{}");
    JsonNode run = awaitStatus(cookie, id, "failed");
    assertThat(run.get("run").get("failure").get("message").asText()).isNotEmpty();
  }

  @Test
  void pagesAreBounded() throws Exception {
    String cookie = login()[0];
    assertThat(get("/api/runs?limit=0", cookie).statusCode()).isEqualTo(400);
    assertThat(get("/api/runs?limit=201", cookie).statusCode()).isEqualTo(400);
    assertThat(get("/api/runs?limit=x", cookie).statusCode()).isEqualTo(400);
    assertThat(get("/api/runs?status=odd", cookie).statusCode()).isEqualTo(400);
    assertThat(get("/api/runs?limit=1", cookie).statusCode()).isEqualTo(200);
    live.startRun("greet", "{\"name\": \"a\"}");
    live.startRun("greet", "{\"name\": \"b\"}");
    assertThat(body(get("/api/runs?limit=1", cookie)).get("runs")).hasSize(1);
  }

  @Test
  void anUnknownRunIs404() throws Exception {
    String[] s = login();
    assertThat(get("/api/runs/run-unknown", s[0]).statusCode()).isEqualTo(404);
    assertThat(post("/api/runs/run-unknown/cancel", s[0], s[1]).statusCode()).isEqualTo(404);
  }

  @Test
  void cancelNeedsTheCsrfTokenAndCancelsTheCall() throws Exception {
    String[] s = login();
    String id = live.startRun("slow", LiveConsole.slowInput(folder, "c", 60));
    assertThat(LiveConsole.awaitText(folder.resolve("c.started"), WAIT)).isNotNull();
    assertThat(post("/api/runs/" + id + "/cancel", s[0], null).statusCode()).isEqualTo(403);
    assertThat(post("/api/runs/" + id + "/cancel", s[0], "wrong").statusCode()).isEqualTo(403);
    assertThat(body(get("/api/runs/" + id, s[0])).get("run").get("status").asText())
        .isEqualTo("running");
    HttpResponse<String> r = post("/api/runs/" + id + "/cancel", s[0], s[1]);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(body(r).get("run").get("cancel_requested").asBoolean()).isTrue();
    assertThat(LiveConsole.awaitText(folder.resolve("c.cancelled"), WAIT)).isEqualTo("cancelled");
    JsonNode run = awaitStatus(s[0], id, "cancelled");
    assertThat(run.get("run").get("failure").get("reason").asText()).isEqualTo("cancelled");
  }

  JsonNode awaitStatus(String cookie, String id, String status) throws Exception {
    long end = System.nanoTime() + WAIT.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < end) {
      HttpResponse<String> r = get("/api/runs/" + id, cookie);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      last = body(r);
      if (last.get("run").get("status").asText().equals(status)) {
        return last;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("run " + id + " not " + status + ": " + last);
  }

  /** The session cookie and CSRF token of a login with the run token. */
  String[] login() throws Exception {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create(live.base + "/api/login"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"token\":\"" + ConsoleHttpTest.RUN_TOKEN + "\"}")));
    assertThat(r.statusCode()).isEqualTo(200);
    String cookie = r.headers().firstValue("set-cookie").orElseThrow().split(";", 2)[0];
    return new String[] {cookie, body(r).get("csrf").asText()};
  }

  HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(live.base + path)).GET();
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return send(b);
  }

  private HttpResponse<String> post(String path, String cookie, String csrf) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(live.base + path))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    if (csrf != null) {
      b.header("X-CSRF-Token", csrf);
    }
    return send(b);
  }

  HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(
        b.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode body(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }
}
