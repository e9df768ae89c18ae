package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.workflow.expr.Bindings;
import java.util.HashMap;
import java.util.Map;

/**
 * What the expressions of a step can read: the input, the results of the steps it can see, and the
 * names bound around it (loop variables, {@code error}). Also the suffix that makes a step's id an
 * instance name inside loops ({@code [3]}). Immutable once built; {@code steps} is only written on
 * the run thread, between evaluations.
 */
record Env(JsonNode input, ObjectNode steps, Map<String, JsonNode> locals, String suffix)
    implements Bindings {

  @Override
  public JsonNode lookup(String name) {
    return switch (name) {
      case "input" -> input;
      case "steps" -> steps;
      default -> locals.get(name);
    };
  }

  /** This environment with one more name bound. */
  Env bind(String name, JsonNode value) {
    Map<String, JsonNode> m = new HashMap<>(locals);
    m.put(name, value);
    return new Env(input, steps, m, suffix);
  }

  /** This environment for item {@code index} of a loop: names inside get {@code [index]}. */
  Env item(String name, JsonNode value, int index) {
    Env e = bind(name, value);
    return new Env(e.input, e.steps, e.locals, suffix + "[" + index + "]");
  }

  /**
   * This environment for attempt {@code attempt} (from 2) of a retried block: names inside get
   * {@code #attempt}, so that each attempt's steps are journaled apart and a resumed run replays
   * only the attempt it was in.
   */
  Env attempt(int attempt) {
    return new Env(input, steps, locals, suffix + "#" + attempt);
  }

  /** A view for a nested block: the visible results so far, to which the block adds its own. */
  Env nestedBlock() {
    ObjectNode view = steps.objectNode();
    view.setAll(steps);
    return new Env(input, view, locals, suffix);
  }
}
