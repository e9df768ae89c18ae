package dev.braid.gateway.workflow.internal;

import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Template;
import dev.braid.gateway.workflow.expr.Spelling;
import java.util.List;

/** Builds the steps that shape data without calling anything: {@code set} and {@code raise}. */
final class DataStepBuilder {
  /** The keys of {@code raise: {...}}, the parts of a failure record a workflow may choose. */
  static final List<String> RAISE_KEYS = List.of("code", "type", "message", "details");

  private final ModelBuilder m;
  private final Fields f;

  DataStepBuilder(ModelBuilder m) {
    this.m = m;
    this.f = m.fields;
  }

  /** {@code set: VALUE}: any value, expressions included. */
  Step.SetValue set(Location at, SourceNode v) {
    return new Step.SetValue(at, m.templates.of(v));
  }

  /**
   * {@code raise: {code, type, message, details}} (each may be an expression) or {@code raise: "${{
   * err }}"}, one expression giving a failure record.
   */
  Step.Raise raise(Location at, SourceNode v) {
    Template t = m.templates.of(v);
    if (v instanceof SourceNode.MapNode map) {
      f.onlyKeys(map, RAISE_KEYS, "raise");
      SourceNode code = map.get("code");
      if (code instanceof SourceNode.ScalarNode s
          && !(s.value().isTextual() && s.value().textValue().contains("${{"))) {
        String c = s.value().asText();
        if (!s.value().isTextual() || !CatchBuilder.CODES.contains(c)) {
          f.error(
              code.at(),
              "code: '"
                  + c
                  + "' is not a failure code"
                  + Spelling.suggest(c, CatchBuilder.CODES)
                  + " (one of "
                  + String.join(", ", CatchBuilder.CODES)
                  + ")");
        }
      }
      return new Step.Raise(at, t);
    }
    if (t instanceof Template.Single) {
      return new Step.Raise(at, t);
    }
    if (!StepBuilder.brokenExpression(v, t)) {
      f.error(
          v.at(),
          "raise must be a mapping { code, type, message, details }, e.g. raise: { code:"
              + " INVALID_ARGUMENT, message: no stock }, or one expression giving a failure"
              + " record, e.g. raise: \"${{ error }}\"; not "
              + v.kind());
    }
    return null;
  }
}
