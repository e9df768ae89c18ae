package dev.braid.gateway.store.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.FailureJson;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.model.Failure;
import java.time.Duration;

/**
 * The text forms of what the store keeps: JSON values, step outcomes ({@code {"value": ...}} or
 * {@code {"failure": ...}}), failures and events. A stored text that does not read back is a
 * corrupt store: {@link IllegalStateException}.
 */
public final class Codec {
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // stored outcomes are bounded by the budgets, which may be larger than Jackson's defaults
    JSON.getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build());
  }

  private Codec() {}

  public static ObjectMapper mapper() {
    return JSON;
  }

  public static String write(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not serializable: " + e.getMessage(), e);
    }
  }

  public static JsonNode read(String text) {
    if (text == null) {
      return null;
    }
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored value is not JSON: " + e.getOriginalMessage(), e);
    }
  }

  public static String outcome(StepOutcome o) {
    ObjectNode n = JSON.createObjectNode();
    if (o.isOk()) {
      n.set("value", o.value());
    } else {
      n.set("failure", FailureJson.toJson(o.failure()));
    }
    return write(n);
  }

  public static StepOutcome outcome(String text) {
    JsonNode n = read(text);
    if (n.has("failure")) {
      return StepOutcome.failed(FailureJson.fromJson(n.get("failure")));
    }
    if (!n.has("value")) {
      throw new IllegalStateException("a stored outcome has neither value nor failure");
    }
    return StepOutcome.ok(n.get("value"));
  }

  public static String failure(Failure f) {
    return f == null ? null : write(FailureJson.toJson(f));
  }

  public static Failure failure(String text) {
    return text == null ? null : FailureJson.fromJson(read(text));
  }

  public static String event(RunEvent e) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", e.type().name());
    n.put("at", e.atNanos());
    putIf(n, "step", e.step());
    putIf(n, "kind", e.kind());
    putIf(n, "function", e.function());
    putIf(n, "language", e.language());
    if (e.attempt() != 0) {
      n.put("attempt", e.attempt());
    }
    if (e.status() != null) {
      n.put("status", e.status().name());
    }
    if (e.failure() != null) {
      n.set("failure", FailureJson.toJson(e.failure()));
    }
    if (e.retryWait() != null) {
      n.put("retry_wait_ns", e.retryWait().toNanos());
    }
    if (e.value() != null) {
      n.set("value", e.value());
    }
    return write(n);
  }

  public static RunEvent event(String text) {
    JsonNode n = read(text);
    try {
      return new RunEvent(
          RunEvent.Type.valueOf(n.path("type").asText()),
          n.path("at").asLong(),
          text(n, "step"),
          text(n, "kind"),
          text(n, "function"),
          text(n, "language"),
          n.path("attempt").asInt(0),
          n.hasNonNull("status") ? RunEvent.Status.valueOf(n.get("status").asText()) : null,
          n.hasNonNull("failure") ? FailureJson.fromJson(n.get("failure")) : null,
          n.hasNonNull("retry_wait_ns") ? Duration.ofNanos(n.get("retry_wait_ns").asLong()) : null,
          n.get("value"));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("a stored event does not read back: " + e.getMessage(), e);
    }
  }

  private static void putIf(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }

  private static String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : null;
  }
}
