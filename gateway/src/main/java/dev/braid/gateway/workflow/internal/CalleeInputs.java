package dev.braid.gateway.workflow.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.workflow.Diagnostic;
import dev.braid.gateway.workflow.InputField;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Template;
import dev.braid.gateway.workflow.ValueType;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.gateway.workflow.expr.Reference;
import dev.braid.gateway.workflow.expr.Spelling;
import dev.braid.gateway.workflow.expr.Values;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks the {@code input:} of a {@code workflow:} step against the callee's {@code input:}
 * declaration, as far as it is known before running: the field names given, the required ones
 * missing, and the type of each value that is a literal or exactly {@code ${{ input.NAME }}} of the
 * caller. An input given as one expression is checked when the step runs.
 */
public final class CalleeInputs {
  private static final Pattern INPUT_FIELD =
      Pattern.compile("\\s*input\\.[A-Za-z_][A-Za-z0-9_]*\\s*");

  private CalleeInputs() {}

  public static void check(Step.SubWorkflow sw, Workflow caller, List<Diagnostic> problems) {
    Workflow callee = sw.workflow();
    String who = "workflow '" + sw.ref().value() + "'";
    Location at = sw.input().map(Template::at).orElse(sw.ref().at());
    Map<String, Template> given = new LinkedHashMap<>();
    if (sw.input().isPresent()) {
      Template t = sw.input().get();
      if (t instanceof Template.ObjectOf o) {
        given.putAll(o.fields());
      } else if (t instanceof Template.Literal l && l.value().isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = l.value().fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          given.put(e.getKey(), new Template.Literal(e.getValue(), l.at()));
        }
      } else {
        return;
      }
    }
    given.forEach(
        (name, value) -> {
          InputField field = callee.input().get(name);
          if (field == null) {
            problems.add(
                new Diagnostic(
                    value.at(),
                    who
                        + (callee.input().isEmpty()
                            ? " takes no input, but input field '" + name + "' is given"
                            : " has no input field '"
                                + name
                                + "'"
                                + Spelling.closest(name, callee.input().keySet())
                                    .map(g -> "; did you mean '" + g + "'?")
                                    .orElse(
                                        " (it declares: "
                                            + String.join(", ", callee.input().keySet())
                                            + ")"))));
            return;
          }
          ValueType want = field.type().value();
          if (value instanceof Template.Literal l && !want.admits(l.value())) {
            problems.add(
                new Diagnostic(
                    value.at(),
                    "input field '"
                        + name
                        + "' of "
                        + who
                        + " must be "
                        + want.article()
                        + ", not "
                        + Values.typeName(l.value())));
          } else if (value instanceof Template.Single s) {
            ValueType have = callerType(s, caller);
            if (have != null
                && want != ValueType.ANY
                && have != want
                && !(want == ValueType.NUMBER && have == ValueType.INTEGER)) {
              problems.add(
                  new Diagnostic(
                      value.at(),
                      "input field '"
                          + name
                          + "' of "
                          + who
                          + " must be "
                          + want.article()
                          + ", but "
                          + s.expression().source().trim()
                          + " is declared as "
                          + have.article()));
            }
          }
        });
    for (InputField f : callee.input().values()) {
      if (f.required() && !given.containsKey(f.name())) {
        problems.add(
            new Diagnostic(
                at,
                who
                    + " needs input field '"
                    + f.name()
                    + "' ("
                    + f.type().value().word()
                    + ")"
                    + (sw.input().isEmpty()
                        ? ": give it with input: { " + f.name() + ": ... }"
                        : "")));
      }
    }
  }

  /** The declared type of the caller's input field the expression is exactly, else null. */
  private static ValueType callerType(Template.Single s, Workflow caller) {
    if (!INPUT_FIELD.matcher(s.expression().source()).matches()) {
      return null;
    }
    List<Reference> refs = s.expression().references();
    if (refs.size() != 1 || refs.get(0).head() == null) {
      return null;
    }
    InputField f = caller.input().get(refs.get(0).head());
    return f == null || f.type().value() == ValueType.ANY ? null : f.type().value();
  }
}
