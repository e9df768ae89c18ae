package dev.braid.gateway.console.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.server.TokenScope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The console's routes: the page's assets and the JSON API of docs/api.md ("The console's JSON
 * API"). Every response carries {@link SecurityHeaders}; every request is refused unless its Host
 * names loopback (DNS rebinding); every POST is refused unless it comes from the console's own
 * origin, and every POST but the login must carry the session's CSRF token in {@value
 * #CSRF_HEADER}.
 *
 * <p>Runs on Jetty's threads; blocking is allowed (bounded bodies only). Thread-safe.
 */
public final class ConsoleHandler extends Handler.Abstract {
  static final String COOKIE = "braid_session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final String RUNS = "/api/runs/";
  private static final String CANCEL = "/cancel";
  // a login body is one token: anything larger is not one
  static final int MAX_BODY_BYTES = 4 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TokenCheck tokens;
  private final Sessions sessions;
  private final RunsApi runs;

  public ConsoleHandler(TokenCheck tokens, Sessions sessions, RunsApi runs) {
    this.tokens = tokens;
    this.sessions = sessions;
    this.runs = runs;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    SecurityHeaders.apply(response.getHeaders());
    String problem = hostProblem(request);
    if (problem != null) {
      return error(response, callback, 421, problem);
    }
    String path = Request.getPathInContext(request);
    String method = request.getMethod();
    if (method.equals("GET") || method.equals("HEAD")) {
      return get(request, response, callback, path);
    }
    if (!method.equals("POST")) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD, POST");
      return error(response, callback, 405, "method not allowed: " + method);
    }
    problem = originProblem(request);
    if (problem != null) {
      return error(response, callback, 403, problem);
    }
    return switch (path) {
      case "/api/login" -> login(request, response, callback);
      case "/api/logout" -> logout(request, response, callback);
      default -> {
        if (path.startsWith(RUNS) && path.endsWith(CANCEL)) {
          yield cancel(request, response, callback, path);
        }
        yield error(response, callback, 404, "no such action: " + path);
      }
    };
  }

  private boolean get(Request request, Response response, Callback callback, String path) {
    if (path.equals("/api/session")) {
      Sessions.Session s = sessions.get(sessionId(request));
      if (s == null) {
        return error(response, callback, 401, "not logged in");
      }
      return json(response, callback, 200, sessionJson(s));
    }
    if (path.equals("/api/runs") || path.startsWith(RUNS)) {
      if (sessions.get(sessionId(request)) == null) {
        return error(response, callback, 401, "not logged in");
      }
      String id = path.length() > RUNS.length() ? path.substring(RUNS.length()) : "";
      RunsApi.Answer a =
          id.isEmpty() ? runs.list(Request.extractQueryParameters(request)) : runs.get(id);
      return json(response, callback, a.status(), a.body());
    }
    Assets.Asset a = Assets.at(path);
    if (a == null) {
      return error(response, callback, 404, "not found: " + path);
    }
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, a.type());
    response.write(true, ByteBuffer.wrap(a.bytes()), callback);
    return true;
  }

  private boolean login(Request request, Response response, Callback callback) throws Exception {
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    // a cross-site form cannot send application/json without a CORS preflight, which is never
    // answered: this is the login's CSRF defence (there is no session yet to hold a token)
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      return error(response, callback, 415, "send the token as application/json");
    }
    JsonNode body = readJson(request, response, callback);
    if (body == null) {
      return true;
    }
    JsonNode token = body.get("token");
    if (token == null || !token.isTextual() || token.asText().isBlank()) {
      return error(response, callback, 400, "expected {\"token\": \"...\"}");
    }
    Set<TokenScope> scopes = tokens.scopesOf(token.asText());
    if (scopes == null) {
      return error(response, callback, 401, "invalid token");
    }
    // the console shows runs: what GetRun/WatchRun need on the gRPC API
    if (!scopes.contains(TokenScope.RUN)) {
      return error(response, callback, 403, "this token lacks the 'run' scope the console needs");
    }
    String id = sessions.create(scopes);
    if (id == null) {
      return error(response, callback, 503, "too many open sessions: try again later");
    }
    Response.addCookie(
        response,
        HttpCookie.build(COOKIE, id)
            .path("/")
            .httpOnly(true)
            .sameSite(HttpCookie.SameSite.STRICT)
            // Secure comes with TLS, which the console does not serve yet (loopback only)
            .build());
    return json(response, callback, 200, sessionJson(sessions.get(id)));
  }

  private boolean cancel(Request request, Response response, Callback callback, String path)
      throws InterruptedException {
    Sessions.Session s = sessions.get(sessionId(request));
    if (s == null) {
      return error(response, callback, 401, "not logged in");
    }
    if (!csrfMatches(request, s)) {
      return error(response, callback, 403, "missing or wrong " + CSRF_HEADER);
    }
    // CancelRun's own scope on the gRPC API
    if (!s.scopes().contains(TokenScope.RUN)) {
      return error(response, callback, 403, "this session's token lacks the 'run' scope");
    }
    String id = path.substring(RUNS.length(), path.length() - CANCEL.length());
    if (id.isEmpty() || id.contains("/")) {
      return error(response, callback, 404, "no such action: " + path);
    }
    RunsApi.Answer a = runs.cancel(id);
    return json(response, callback, a.status(), a.body());
  }

  private boolean logout(Request request, Response response, Callback callback) {
    String id = sessionId(request);
    Sessions.Session s = sessions.get(id);
    if (s == null) {
      return error(response, callback, 401, "not logged in");
    }
    if (!csrfMatches(request, s)) {
      return error(response, callback, 403, "missing or wrong " + CSRF_HEADER);
    }
    sessions.remove(id);
    Response.addCookie(
        response,
        HttpCookie.build(COOKIE, "")
            .path("/")
            .httpOnly(true)
            .sameSite(HttpCookie.SameSite.STRICT)
            .maxAge(0)
            .build());
    return json(response, callback, 200, JSON.createObjectNode());
  }

  /** The body as JSON, or null after answering the error (too large, unsized, not JSON). */
  private JsonNode readJson(Request request, Response response, Callback callback)
      throws Exception {
    long length = request.getLength();
    if (length < 0) {
      error(response, callback, 411, "send a Content-Length");
      return null;
    }
    if (length > MAX_BODY_BYTES) {
      error(response, callback, 413, "body over " + MAX_BODY_BYTES + " bytes: " + length);
      return null;
    }
    String text = Content.Source.asString(request, StandardCharsets.UTF_8);
    try {
      JsonNode n = JSON.readTree(text);
      if (n == null || !n.isObject()) {
        error(response, callback, 400, "expected a JSON object");
        return null;
      }
      return n;
    } catch (Exception e) {
      error(response, callback, 400, "not JSON");
      return null;
    }
  }

  static boolean csrfMatches(Request request, Sessions.Session s) {
    String sent = request.getHeaders().get(CSRF_HEADER);
    return sent != null
        && MessageDigest.isEqual(
            sent.getBytes(StandardCharsets.UTF_8), s.csrf().getBytes(StandardCharsets.UTF_8));
  }

  private static String sessionId(Request request) {
    for (HttpCookie c : Request.getCookies(request)) {
      if (c.getName().equals(COOKIE)) {
        return c.getValue();
      }
    }
    return null;
  }

  /**
   * Why the Host header is refused: a page on an attacker's name that resolves to 127.0.0.1 (DNS
   * rebinding) would otherwise be same-origin with the console.
   */
  static String hostProblem(Request request) {
    String host = request.getHeaders().get(HttpHeader.HOST);
    if (host == null) {
      return "missing Host";
    }
    String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host;
    int colon = name.startsWith("[") ? -1 : name.indexOf(':');
    if (colon >= 0) {
      name = name.substring(0, colon);
    }
    name = name.toLowerCase(Locale.ROOT);
    if (name.equals("localhost") || name.equals("127.0.0.1") || name.equals("[::1]")) {
      return null;
    }
    return "the console answers only to localhost, 127.0.0.1 and [::1]";
  }

  /** Why a POST's Origin is refused (another site's page); null when absent or our own. */
  static String originProblem(Request request) {
    HttpFields h = request.getHeaders();
    String origin = h.get(HttpHeader.ORIGIN);
    String site = h.get("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      return "cross-site request refused";
    }
    if (origin != null && !origin.equals("http://" + h.get(HttpHeader.HOST))) {
      return "cross-origin request refused";
    }
    return null;
  }

  private static ObjectNode sessionJson(Sessions.Session s) {
    ObjectNode o = JSON.createObjectNode();
    var arr = o.putArray("scopes");
    s.scopes().stream().map(TokenScope::label).sorted().forEach(arr::add);
    o.put("csrf", s.csrf());
    return o;
  }

  private static boolean error(Response response, Callback callback, int status, String message) {
    ObjectNode o = JSON.createObjectNode();
    o.put("error", message);
    return json(response, callback, status, o);
  }

  private static boolean json(Response response, Callback callback, int status, JsonNode body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
    Content.Sink.write(response, true, body.toString(), callback);
    return true;
  }
}
