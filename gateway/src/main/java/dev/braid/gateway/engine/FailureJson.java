package dev.braid.gateway.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.model.Failure;

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

  private static JsonNode parseOrText(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return JSON.getNodeFactory().textNode(json);
    }
  }
}
