package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.workflow.HttpUrls;
import dev.braid.gateway.workflow.expr.Values;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of an {@code http} step that do not depend on the run: the request from the step's
 * evaluated values, the result from the response, and the failure record for each way it fails.
 * Thread-safe (stateless).
 */
final class HttpExchanges {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How much of a failed response's body its failure record keeps in {@code details.body}. */
  static final int DETAILS_BODY_CHARS = 4096;

  /**
   * The one client every run shares (connection pools, one selector thread). Redirects are not
   * followed: a {@code Location} header must not take a request to a host the workflow (or, in
   * {@code braid serve}, the operator's {@code --allow-http}) did not name.
   */
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  private HttpExchanges() {}

  /** The request's values, evaluated; a bad one is an {@code INVALID_ARGUMENT} failure. */
  record Request(String method, URI uri, Map<String, String> headers, Optional<JsonNode> body) {}

  static final class Invalid extends RuntimeException {
    Invalid(String message) {
      super(message);
    }
  }

  /** The URI from the evaluated {@code url} and {@code query}. */
  static URI uri(JsonNode url, JsonNode query) {
    if (url == null || !url.isTextual()) {
      throw new Invalid("url must be a string, not " + Values.text(url));
    }
    Optional<String> bad = HttpUrls.problem(url.textValue());
    if (bad.isPresent()) {
      throw new Invalid("url: " + bad.get());
    }
    String u = url.textValue();
    if (query != null && !query.isNull()) {
      if (!query.isObject()) {
        throw new Invalid("query must be an object, not " + Values.text(query));
      }
      StringBuilder q = new StringBuilder();
      for (Map.Entry<String, JsonNode> e : query.properties()) {
        Iterable<JsonNode> values = e.getValue().isArray() ? e.getValue() : List.of(e.getValue());
        for (JsonNode v : values) {
          if (v.isNull()) {
            continue;
          }
          if (v.isContainerNode()) {
            throw new Invalid("query." + e.getKey() + " must be text, a number or a boolean");
          }
          q.append(q.isEmpty() ? "" : "&")
              .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
              .append('=')
              .append(URLEncoder.encode(Values.text(v), StandardCharsets.UTF_8));
        }
      }
      if (!q.isEmpty()) {
        u = u + (u.contains("?") ? "&" : "?") + q;
      }
    }
    return URI.create(u);
  }

  /**
   * How a URL is shown in messages, events and failure details: without its query and user info,
   * which may carry credentials ({@code ?api_key=...}).
   */
  static String shown(URI uri) {
    if (uri == null) {
      return "(no url)";
    }
    return uri.getScheme()
        + "://"
        + uri.getHost()
        + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  static HttpRequest build(String method, URI uri, JsonNode headers, JsonNode body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    boolean contentType = false;
    if (headers != null && !headers.isNull()) {
      if (!headers.isObject()) {
        throw new Invalid("headers must be an object, not " + Values.text(headers));
      }
      for (Map.Entry<String, JsonNode> e : headers.properties()) {
        if (e.getValue().isNull()) {
          continue;
        }
        if (e.getValue().isContainerNode()) {
          throw new Invalid("header " + e.getKey() + " must be text, not an object or a list");
        }
        contentType |= e.getKey().equalsIgnoreCase("content-type");
        try {
          b.header(e.getKey(), Values.text(e.getValue()));
        } catch (IllegalArgumentException ex) {
          throw new Invalid("header " + e.getKey() + ": " + ex.getMessage());
        }
      }
    }
    HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
    if (body != null) {
      String text = body.isTextual() ? body.textValue() : body.toString();
      if (!contentType) {
        b.header(
            "Content-Type", body.isTextual() ? "text/plain; charset=utf-8" : "application/json");
      }
      publisher = HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8);
    }
    return b.method(method, publisher).build();
  }

  /** {@code {status, headers, body}}: the body parsed when the response says it is JSON. */
  static ObjectNode result(HttpResponse<byte[]> r) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("status", r.statusCode());
    ObjectNode h = o.putObject("headers");
    r.headers()
        .map()
        .forEach(
            (k, v) -> {
              if (!k.startsWith(":")) {
                h.put(k.toLowerCase(Locale.ROOT), String.join(", ", v));
              }
            });
    o.set("body", body(r));
    return o;
  }

  private static JsonNode body(HttpResponse<byte[]> r) {
    byte[] bytes = r.body();
    if (bytes == null || bytes.length == 0) {
      return JsonNodeFactory.instance.nullNode();
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    String type = r.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
    if (type.startsWith("application/json") || type.matches("^[a-z]+/[^;]*\\+json.*")) {
      try {
        return JSON.readTree(text);
      } catch (JsonProcessingException e) {
        // a server that labels text as JSON: the text is still the most useful result
        return JsonNodeFactory.instance.textNode(text);
      }
    }
    return JsonNodeFactory.instance.textNode(text);
  }

  /**
   * The failure of a response whose status was not expected: 5xx, 408 are {@code UNAVAILABLE} and
   * 429 {@code RESOURCE_EXHAUSTED} (worth retrying); any other status is {@code INVALID_ARGUMENT},
   * never retried (the same request would get the same answer). {@code details}: the status, the
   * URL and the start of the body.
   */
  static Failure unexpected(String method, URI uri, HttpResponse<byte[]> r) {
    int s = r.statusCode();
    FailureCode code =
        s >= 500 || s == 408
            ? FailureCode.UNAVAILABLE
            : s == 429 ? FailureCode.RESOURCE_EXHAUSTED : FailureCode.INVALID_ARGUMENT;
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    details.put("status", s);
    details.put("url", shown(uri));
    JsonNode b = body(r);
    if (b.isTextual() && b.textValue().length() > DETAILS_BODY_CHARS) {
      b = JsonNodeFactory.instance.textNode(b.textValue().substring(0, DETAILS_BODY_CHARS));
    }
    details.set("body", b);
    String why = s >= 300 && s < 400 ? " (redirects are not followed)" : "";
    return new Failure(
        code,
        "HttpError",
        method + " " + shown(uri) + " answered " + s + why,
        "java",
        "",
        null,
        code != FailureCode.INVALID_ARGUMENT,
        details.toString(),
        null);
  }

  /** The failure of an exchange that did not produce a response (connection refused, reset). */
  static Failure failed(String method, URI uri, Throwable t) {
    if (t instanceof BoundedBody.TooLarge) {
      return Failure.of(
          FailureCode.RESOURCE_EXHAUSTED,
          "ResponseTooLarge",
          method + " " + shown(uri) + ": " + t.getMessage());
    }
    if (t instanceof HttpTimeoutException) {
      return Failure.of(
          FailureCode.DEADLINE_EXCEEDED,
          "HttpTimeout",
          method + " " + shown(uri) + " timed out: " + t.getMessage());
    }
    if (t instanceof IOException) {
      String type =
          t instanceof ConnectException ? "ConnectException" : t.getClass().getSimpleName();
      return Failure.of(
          FailureCode.UNAVAILABLE,
          type,
          method
              + " "
              + shown(uri)
              + " failed: "
              + (t.getMessage() == null ? type : t.getMessage()));
    }
    if (t instanceof Invalid || t instanceof IllegalArgumentException) {
      return Failure.of(FailureCode.INVALID_ARGUMENT, "HttpRequestError", t.getMessage());
    }
    return Failure.of(
        FailureCode.INTERNAL, t.getClass().getSimpleName(), method + " " + shown(uri) + ": " + t);
  }
}
