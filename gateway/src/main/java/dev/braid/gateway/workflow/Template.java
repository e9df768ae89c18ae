package dev.braid.gateway.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.braid.gateway.workflow.expr.Bindings;
import dev.braid.gateway.workflow.expr.Expression;
import dev.braid.gateway.workflow.expr.ExpressionException;
import dev.braid.gateway.workflow.expr.Values;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A value written in a workflow file that may contain {@code ${{ ... }}} expressions: arguments,
 * conditions, fallback values, outputs. A string that is exactly one expression gives the
 * expression's JSON value with its type; an expression inside a longer string is interpolated as
 * text (see {@link Values#text}); {@code $${{} writes a literal {@code ${{}.
 */
public sealed interface Template {
  /** Where the value starts in the file. */
  Location at();

  /**
   * The value with every expression evaluated. Runs on the caller's thread; never blocks. The
   * result may share nodes with the values in {@code bindings} (a {@code ${{ steps.x }}} is the
   * step's result itself, not a copy).
   *
   * @throws EvaluationException naming the place in the file of the part that failed
   */
  JsonNode evaluate(Bindings bindings);

  /** Every expression in this value, in source order. */
  List<Single> expressions();

  /**
   * The value of an {@code if:}: true or false, and nothing else (no truthiness: {@code if: ${{
   * steps.a.items }}} is an error that says to write {@code size(steps.a.items) > 0}).
   *
   * @throws EvaluationException if the value is not a boolean, or evaluating it failed
   */
  default boolean condition(Bindings bindings) {
    JsonNode v = evaluate(bindings);
    if (!v.isBoolean()) {
      throw new EvaluationException(at(), Values.notACondition(v));
    }
    return v.booleanValue();
  }

  /** A constant: no expression inside. */
  record Literal(JsonNode value, Location at) implements Template {
    /** A copy of the value, so that callers may change what they get. */
    @Override
    public JsonNode evaluate(Bindings bindings) {
      return value.isContainerNode() ? value.deepCopy() : value;
    }

    @Override
    public List<Single> expressions() {
      return List.of();
    }
  }

  /** A string that is exactly one {@code ${{ expression }}}: its value keeps its JSON type. */
  final class Single implements Template {
    private final Expression expression;
    private final Location at;
    private final IntFunction<Location> locator;

    /**
     * @param at where the {@code ${{} is
     * @param locator maps an offset in the expression's source to its place in the file
     */
    public Single(Expression expression, Location at, IntFunction<Location> locator) {
      this.expression = expression;
      this.at = at;
      this.locator = locator;
    }

    public Expression expression() {
      return expression;
    }

    @Override
    public Location at() {
      return at;
    }

    /** The place in the file of an offset in the expression's source. */
    public Location locate(int offset) {
      return locator.apply(offset);
    }

    @Override
    public JsonNode evaluate(Bindings bindings) {
      try {
        return expression.evaluate(bindings);
      } catch (ExpressionException e) {
        throw new EvaluationException(locate(e.offset()), e.getMessage());
      }
    }

    @Override
    public List<Single> expressions() {
      return List.of(this);
    }

    @Override
    public String toString() {
      return expression.toString();
    }
  }

  /** A string with text around its expressions: evaluates to a string. */
  record Text(List<Object> parts, Location at) implements Template {
    /**
     * @param parts {@code String}s and {@link Single}s, in order
     */
    public Text {
      parts = List.copyOf(parts);
    }

    @Override
    public JsonNode evaluate(Bindings bindings) {
      StringBuilder sb = new StringBuilder();
      for (Object p : parts) {
        sb.append(p instanceof Single s ? Values.text(s.evaluate(bindings)) : (String) p);
      }
      return TextNode.valueOf(sb.toString());
    }

    @Override
    public List<Single> expressions() {
      List<Single> out = new ArrayList<>();
      for (Object p : parts) {
        if (p instanceof Single s) {
          out.add(s);
        }
      }
      return out;
    }
  }

  /** A mapping with expressions somewhere inside its values. */
  record ObjectOf(Map<String, Template> fields, Location at) implements Template {
    public ObjectOf {
      fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    @Override
    public JsonNode evaluate(Bindings bindings) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      fields.forEach((k, v) -> o.set(k, v.evaluate(bindings)));
      return o;
    }

    @Override
    public List<Single> expressions() {
      List<Single> out = new ArrayList<>();
      fields.values().forEach(v -> out.addAll(v.expressions()));
      return out;
    }
  }

  /** A list with expressions somewhere inside its items. */
  record ListOf(List<Template> items, Location at) implements Template {
    public ListOf {
      items = List.copyOf(items);
    }

    @Override
    public JsonNode evaluate(Bindings bindings) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      items.forEach(i -> a.add(i.evaluate(bindings)));
      return a;
    }

    @Override
    public List<Single> expressions() {
      List<Single> out = new ArrayList<>();
      items.forEach(i -> out.addAll(i.expressions()));
      return out;
    }
  }
}
