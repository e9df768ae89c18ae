package dev.braid.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.gateway.server.TokenScope;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The console's HTTP contract below the browser: headers, login, sessions, CSRF, bounds. */
@Timeout(30)
class ConsoleHttpTest {
  static final String RUN_TOKEN = "run-token-0123456789";
  static final String INVOKE_TOKEN = "invoke-token-0123456789";

  private ConsoleServer console;
  private String base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    console = ConsoleServer.start(config());
    base = "http://127.0.0.1:" + console.address().getPort();
  }

  @AfterEach
  void stop() {
    console.close();
  }

  static ConsoleConfig config() {
    return new ConsoleConfig(
        "127.0.0.1",
        0,
        List.of(RUN_TOKEN, INVOKE_TOKEN),
        Map.of(INVOKE_TOKEN, Set.of(TokenScope.INVOKE)),
        ConsoleConfig.DEFAULT_SESSION_TTL);
  }

  @Test
  void thePageComesFromTheJarWithAStrictPolicy() throws Exception {
    HttpResponse<String> r = get("/", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("/assets/console.js").doesNotContain("http://", "https://");
    var h = r.headers();
    assertThat(h.firstValue("content-security-policy").orElseThrow())
        .contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'")
        .doesNotContain("unsafe");
    assertThat(h.firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(h.firstValue("x-frame-options")).hasValue("DENY");
    assertThat(get("/assets/console.js", null).headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
  }

  @Test
  void noFileOutsideTheAssetsIsServed() throws Exception {
    for (String p :
        List.of("/assets/../pom.xml", "/dev/braid/gateway/console/assets/index.html", "/x")) {
      assertThat(get(p, null).statusCode()).as(p).isIn(400, 404);
    }
  }

  @Test
  void loginSetsAStrictHttpOnlyCookieAndReturnsTheScopesAndACsrfToken() throws Exception {
    HttpResponse<String> r = login(RUN_TOKEN);
    assertThat(r.statusCode()).isEqualTo(200);
    String cookie = r.headers().firstValue("set-cookie").orElseThrow();
    assertThat(cookie).startsWith("braid_session=").contains("HttpOnly", "SameSite=Strict");
    assertThat(r.body()).contains("\"scopes\":[\"invoke\",\"run\",\"script\"]", "\"csrf\":\"");
    assertThat(get("/api/session", sessionCookie(r)).statusCode()).isEqualTo(200);
  }

  @Test
  void aWrongTokenIsRefused() throws Exception {
    HttpResponse<String> r = login("not-" + RUN_TOKEN);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("invalid token");
    assertThat(r.headers().firstValue("set-cookie")).isEmpty();
  }

  @Test
  void aTokenWithoutTheRunScopeIsRefused() throws Exception {
    HttpResponse<String> r = login(INVOKE_TOKEN);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("'run' scope");
  }

  @Test
  void withoutASessionTheApiAnswers401() throws Exception {
    assertThat(get("/api/session", null).statusCode()).isEqualTo(401);
    assertThat(get("/api/session", "braid_session=forged").statusCode()).isEqualTo(401);
  }

  @Test
  void logoutWithoutTheCsrfTokenIsRefusedAndTheSessionLives() throws Exception {
    HttpResponse<String> in = login(RUN_TOKEN);
    String cookie = sessionCookie(in);
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create(base + "/api/logout"))
                .header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("X-CSRF-Token");
    r =
        send(
            HttpRequest.newBuilder(URI.create(base + "/api/logout"))
                .header("Cookie", cookie)
                .header("X-CSRF-Token", "wrong")
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(get("/api/session", cookie).statusCode()).isEqualTo(200);
    r =
        send(
            HttpRequest.newBuilder(URI.create(base + "/api/logout"))
                .header("Cookie", cookie)
                .header("X-CSRF-Token", csrf(in))
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(get("/api/session", cookie).statusCode()).isEqualTo(401);
  }

  @Test
  void aCrossOriginPostIsRefused() throws Exception {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create(base + "/api/login"))
                .header("Content-Type", "application/json")
                .header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + RUN_TOKEN + "\"}")));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("set-cookie")).isEmpty();
  }

  @Test
  void aFormPostCannotLogIn() throws Exception {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create(base + "/api/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + RUN_TOKEN)));
    assertThat(r.statusCode()).isEqualTo(415);
  }

  @Test
  void bodiesAreBoundedAndMustBeJson() throws Exception {
    String big = "{\"token\":\"" + "x".repeat(5000) + "\"}";
    assertThat(postJson("/api/login", big).statusCode()).isEqualTo(413);
    assertThat(postJson("/api/login", "{not json").statusCode()).isEqualTo(400);
    assertThat(postJson("/api/login", "[1]").statusCode()).isEqualTo(400);
    assertThat(postJson("/api/login", "{\"token\":7}").statusCode()).isEqualTo(400);
  }

  @Test
  void aForeignHostHeaderIsRefused() throws Exception {
    // DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends Host: evil.example
    try (Socket s = new Socket("127.0.0.1", console.address().getPort())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(
          "GET /api/session HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 421");
    }
  }

  @Test
  void otherMethodsAreRefused() throws Exception {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create(base + "/api/session"))
                .method("DELETE", HttpRequest.BodyPublishers.noBody()));
    assertThat(r.statusCode()).isEqualTo(405);
  }

  @Test
  void theConfigRefusesANonLoopbackHostAndBadText() {
    assertThatThrownBy(() -> ConsoleConfig.parse("0.0.0.0:7080", List.of("t"), Map.of()))
        .hasMessageContaining("loopback only");
    assertThatThrownBy(() -> ConsoleConfig.parse("example.com:7080", List.of("t"), Map.of()))
        .hasMessageContaining("loopback only");
    assertThatThrownBy(() -> ConsoleConfig.parse("127.0.0.1", List.of("t"), Map.of()))
        .hasMessageContaining("HOST:PORT");
    assertThatThrownBy(() -> ConsoleConfig.parse("127.0.0.1:99999", List.of("t"), Map.of()))
        .hasMessageContaining("out of range: 99999");
    assertThatThrownBy(() -> ConsoleConfig.parse("127.0.0.1:80", List.of(), Map.of()))
        .hasMessageContaining("needs tokens");
    assertThat(ConsoleConfig.parse("[::1]:0", List.of("t"), Map.of()).host()).isEqualTo("::1");
    assertThat(ConsoleConfig.parse("localhost:0", List.of("t"), Map.of()).port()).isZero();
  }

  private HttpResponse<String> login(String token) throws Exception {
    return postJson("/api/login", "{\"token\":\"" + token + "\"}");
  }

  private HttpResponse<String> postJson(String path, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return send(b);
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(
        b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String sessionCookie(HttpResponse<String> login) {
    return login.headers().firstValue("set-cookie").orElseThrow().split(";", 2)[0];
  }

  private static String csrf(HttpResponse<String> login) {
    Matcher m = Pattern.compile("\"csrf\":\"([^\"]+)\"").matcher(login.body());
    assertThat(m.find()).isTrue();
    return m.group(1);
  }
}
