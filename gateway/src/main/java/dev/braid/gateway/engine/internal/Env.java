package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.workflow.expr.Bindings;
import java.util.HashMap;
import java.util.Map;

/**
 * What the expressions of a step can read: the input, the results of the steps it can see, and the
 * names bound around it (loop variables, {@code error}). Also the suffix that makes a step's id an
 * instance name inside loops ({@code [3]}), and the prefix that puts a sub-workflow's steps under
 * the path of the step that called it ({@code enrich/}). Immutable once built; {@code steps} is
 * only written on the run thread, between evaluations.
 */
record Env(
    JsonNode input,
    ObjectNode steps,
    Map<String, JsonNode> locals,
    String suffix,
    String prefix,
    RunEvent.Item item)
    implements Bindings {

  /** The environment of a workflow's own steps (no prefix: not inside a sub-workflow). */
  Env(JsonNode input, ObjectNode steps, Map<String, JsonNode> locals, String suffix) {
    this(input, steps, locals, suffix, "", null);
  }

  /**
   * The environment of a sub-workflow's steps, called by the step instance at {@code callerPath}:
   * its own input and results, the run's {@code secrets} (null: none), and paths under the caller's
   * ({@code enrich/fetch}).
   */
  static Env subWorkflow(JsonNode input, ObjectNode steps, String callerPath, JsonNode secrets) {
    Map<String, JsonNode> locals = secrets == null ? Map.of() : Map.of("secrets", secrets);
    return new Env(input, steps, locals, "", callerPath + "/", null);
  }

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
    return new Env(input, steps, m, suffix, prefix, item);
  }

  /**
   * This environment for item {@code index} of the loop step instance {@code loopPath} (a {@code
   * for_each}, {@code stream} or {@code loop}) of {@code count} items (-1: not known): names inside
   * get {@code [index]}, and the events of the steps inside name the item.
   */
  Env item(String name, JsonNode value, String loopPath, int index, int count) {
    Env e = bind(name, value);
    return new Env(
        e.input,
        e.steps,
        e.locals,
        suffix + "[" + index + "]",
        prefix,
        new RunEvent.Item(loopPath, index, count));
  }

  /**
   * This environment for attempt {@code attempt} (from 2) of a retried block: names inside get
   * {@code #attempt}, so that each attempt's steps are journaled apart and a resumed run replays
   * only the attempt it was in.
   */
  Env attempt(int attempt) {
    return new Env(input, steps, locals, suffix + "#" + attempt, prefix, item);
  }

  /** A view for a nested block: the visible results so far, to which the block adds its own. */
  Env nestedBlock() {
    ObjectNode view = steps.objectNode();
    view.setAll(steps);
    return new Env(input, view, locals, suffix, prefix, item);
  }
}
