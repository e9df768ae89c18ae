package dev.braid.gateway.workflow.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.braid.gateway.workflow.Diagnostic;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Template;
import dev.braid.gateway.workflow.expr.Expression;
import dev.braid.gateway.workflow.expr.ExpressionException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Turns values of the source tree into {@link Template}s, finding the {@code ${{ ... }}} in strings
 * and parsing each. Expression errors become diagnostics at the exact column: the offset inside the
 * expression is mapped back through the scalar's raw text in the file, so quoting and indentation
 * are accounted for.
 */
final class Templates {
  private static final String OPEN = "${{";

  private final List<Diagnostic> problems;

  Templates(List<Diagnostic> problems) {
    this.problems = problems;
  }

  /** The template for {@code node}; parts with bad expressions are reported and kept as text. */
  Template of(SourceNode node) {
    if (node instanceof SourceNode.ScalarNode s) {
      return scalar(s);
    }
    if (node instanceof SourceNode.ListNode l) {
      List<Template> items = new ArrayList<>();
      boolean constant = true;
      for (SourceNode i : l.items()) {
        Template t = of(i);
        constant &= t instanceof Template.Literal;
        items.add(t);
      }
      if (constant) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        items.forEach(t -> a.add(((Template.Literal) t).value()));
        return new Template.Literal(a, l.at());
      }
      return new Template.ListOf(items, l.at());
    }
    SourceNode.MapNode m = (SourceNode.MapNode) node;
    Map<String, Template> fields = new LinkedHashMap<>();
    boolean constant = true;
    for (SourceNode.Entry e : m.entries()) {
      Template t = of(e.value());
      constant &= t instanceof Template.Literal;
      fields.put(e.key(), t);
    }
    if (constant) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      fields.forEach((k, t) -> o.set(k, ((Template.Literal) t).value()));
      return new Template.Literal(o, m.at());
    }
    return new Template.ObjectOf(fields, m.at());
  }

  private Template scalar(SourceNode.ScalarNode s) {
    if (!s.value().isTextual()) {
      return new Template.Literal(s.value(), s.at());
    }
    String text = s.value().textValue();
    if (!text.contains(OPEN)) {
      return new Template.Literal(s.value(), s.at());
    }
    List<Object> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$" + OPEN, i)) {
        literal.append(OPEN);
        i += 4;
        continue;
      }
      if (!text.startsWith(OPEN, i)) {
        literal.append(text.charAt(i++));
        continue;
      }
      IntFunction<Location> locate = locator(s, text, i);
      int end = closing(text, i + OPEN.length());
      if (end < 0) {
        int quote = -end - 2;
        problems.add(
            quote >= 0
                ? new Diagnostic(
                    locate.apply(quote - i - OPEN.length()),
                    "unterminated string: missing closing " + text.charAt(quote))
                : new Diagnostic(locate.apply(-OPEN.length()), "'${{' is not closed: add '}}'"));
        literal.append(text.substring(i));
        break;
      }
      String source = text.substring(i + OPEN.length(), end);
      try {
        Expression e = Expression.parse(source);
        if (literal.length() > 0) {
          parts.add(literal.toString());
          literal.setLength(0);
        }
        parts.add(new Template.Single(e, locate.apply(-OPEN.length()), locate));
      } catch (ExpressionException ex) {
        problems.add(new Diagnostic(locate.apply(ex.offset()), ex.getMessage()));
        literal.append(text, i, end + 2);
      }
      i = end + 2;
    }
    if (literal.length() > 0) {
      parts.add(literal.toString());
    }
    if (parts.size() == 1 && parts.get(0) instanceof Template.Single single) {
      return single;
    }
    if (parts.stream().allMatch(p -> p instanceof String)) {
      return new Template.Literal(
          TextNode.valueOf(String.join("", parts.stream().map(p -> (String) p).toList())), s.at());
    }
    return new Template.Text(parts, s.at());
  }

  /**
   * The index of the {@code }}} closing an expression that starts at {@code from}; if there is
   * none, -1, or {@code -(q + 2)} when a string literal opened at {@code q} never closes.
   */
  private static int closing(String text, int from) {
    int quoteAt = -1;
    for (int j = from; j < text.length(); j++) {
      char c = text.charAt(j);
      if (quoteAt >= 0) {
        if (c == '\\') {
          j++;
        } else if (c == text.charAt(quoteAt)) {
          quoteAt = -1;
        }
      } else if (c == '\'' || c == '"') {
        quoteAt = j;
      } else if (text.startsWith("}}", j)) {
        return j;
      }
    }
    return quoteAt >= 0 ? -(quoteAt + 2) : -1;
  }

  /**
   * Maps offsets in the expression that starts after the {@code ${{} at {@code marker} of the
   * scalar's value to places in the file. The k-th {@code ${{} of the value is the k-th of the raw
   * text, so escapes and quotes before it do not shift the columns.
   */
  private static IntFunction<Location> locator(SourceNode.ScalarNode s, String text, int marker) {
    int k = 0;
    for (int j = text.indexOf(OPEN); j >= 0 && j < marker; j = text.indexOf(OPEN, j + 1)) {
      k++;
    }
    String raw = s.raw();
    int r = raw.indexOf(OPEN);
    for (int n = 0; n < k && r >= 0; n++) {
      r = raw.indexOf(OPEN, r + 1);
    }
    if (r < 0) {
      boolean quoted = !raw.isEmpty() && (raw.charAt(0) == '"' || raw.charAt(0) == '\'');
      r = marker + (quoted ? 1 : 0);
    }
    int base = s.rawStart() + r + OPEN.length();
    SourceText src = s.source();
    return offset -> src.locateChar(base + offset);
  }

  /** The JSON value of a node with no expressions (input defaults). */
  static JsonNode json(SourceNode node) {
    if (node instanceof SourceNode.ScalarNode s) {
      return s.value();
    }
    if (node instanceof SourceNode.ListNode l) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      l.items().forEach(i -> a.add(json(i)));
      return a;
    }
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    ((SourceNode.MapNode) node).entries().forEach(e -> o.set(e.key(), json(e.value())));
    return o;
  }
}
