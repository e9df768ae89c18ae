package dev.braid.gateway.workflow.expr;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * The names an expression can read while it is evaluated: {@code input}, {@code steps} (an object
 * of the results so far), loop variables, {@code error}. Implementations must not change while an
 * evaluation runs.
 */
@FunctionalInterface
public interface Bindings {
  /** The value of {@code name}, or null if the name is not defined here. */
  JsonNode lookup(String name);

  /** Bindings backed by a map. */
  static Bindings of(Map<String, ? extends JsonNode> values) {
    Map<String, JsonNode> copy = Map.copyOf(values);
    return copy::get;
  }

  /** These bindings with one more name (which hides an outer one of the same name). */
  default Bindings with(String name, JsonNode value) {
    Bindings outer = this;
    return n -> n.equals(name) ? value : outer.lookup(n);
  }
}
