package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.workflow.EvaluationException;
import dev.braid.gateway.workflow.Template;
import dev.braid.gateway.workflow.expr.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The evaluated {@code args} and {@code with} of a call or stream. */
record Arguments(List<JsonNode> positional, Map<String, JsonNode> keywords) {

  static Arguments evaluate(Optional<Template> args, Optional<Template> with, Env env) {
    List<JsonNode> positional = new ArrayList<>();
    if (args.isPresent()) {
      JsonNode a = args.get().evaluate(env);
      if (!a.isArray()) {
        throw new EvaluationException(
            args.get().at(), "args must be a list, but the expression gave " + Values.typeName(a));
      }
      a.forEach(positional::add);
    }
    Map<String, JsonNode> keywords = new LinkedHashMap<>();
    if (with.isPresent()) {
      JsonNode w = with.get().evaluate(env);
      if (!w.isObject()) {
        throw new EvaluationException(
            with.get().at(),
            "with must be a mapping of argument names to values, but the expression gave "
                + Values.typeName(w));
      }
      w.fields().forEachRemaining(e -> keywords.put(e.getKey(), e.getValue()));
    }
    return new Arguments(positional, keywords);
  }
}
