package dev.braid.gateway.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;

/**
 * The failure record as JSON, the shape workflows see as {@code ${{ error }}} and {@code settled}
 * outcomes carry: {@code code}, {@code type}, {@code message}, {@code language}, {@code stack},
 * {@code retryable}, and when present {@code reason}, {@code details} and {@code cause}.
 */
public final class FailureJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_DEPTH = 32;

  private FailureJson() {}

  public static ObjectNode toJson(Failure f) {
    return toJson(f, 0);
  }

  private static ObjectNode toJson(Failure f, int depth) {
    ObjectNode o = JSON.createObjectNode();
    o.put("code", f.code().name());
    o.put("type", f.type());
    o.put("message", f.message());
    o.put("language", f.language());
    o.put("stack", f.stack());
    o.put("retryable", f.retryable());
    if (f.reason() != null) {
      o.put("reason", f.reason());
    }
    if (f.detailsJson() != null) {
      o.set("details", parseOrText(f.detailsJson()));
    }
    if (f.cause() != null && depth < MAX_DEPTH) {
      o.set("cause", toJson(f.cause(), depth + 1));
    }
    return o;
  }

  /**
   * The failure {@link #toJson} wrote, read back (a stored outcome, a journaled event).
   *
   * @throws IllegalArgumentException when {@code o} is not such an object
   */
  public static Failure fromJson(JsonNode o) {
    return fromJson(o, 0);
  }

  private static Failure fromJson(JsonNode o, int depth) {
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("a failure must be a JSON object, not " + o);
    }
    FailureCode code;
    try {
      code = FailureCode.valueOf(o.path("code").asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown failure code: " + o.path("code"), e);
    }
    JsonNode details = o.get("details");
    String detailsJson =
        details == null || details.isNull()
            ? null
            : details.isTextual() ? details.asText() : details.toString();
    JsonNode cause = o.get("cause");
    return new Failure(
        code,
        o.path("type").asText(""),
        o.path("message").asText(""),
        o.path("language").asText(""),
        o.path("stack").asText(""),
        cause != null && cause.isObject() && depth < MAX_DEPTH ? fromJson(cause, depth + 1) : null,
        o.path("retryable").asBoolean(false),
        detailsJson,
        o.hasNonNull("reason") ? o.get("reason").asText() : null);
  }

  private static JsonNode parseOrText(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return JSON.getNodeFactory().textNode(json);
    }
  }
}
