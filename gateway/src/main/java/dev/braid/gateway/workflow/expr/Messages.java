package dev.braid.gateway.workflow.expr;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelExpr.ExprKind.Kind;
import dev.cel.runtime.CelEvaluationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CEL's error messages in Braid's words: operators by their symbol, types as JSON types, and the
 * fix where there is one. CEL gives the position of a runtime error only inside its message ({@code
 * evaluation error at <input>:12: ...}), so that is where it is read from.
 */
final class Messages {
  private static final Pattern AT = Pattern.compile("^evaluation error( at [^:]*:(\\d+))?: ");
  private static final Pattern NO_OVERLOAD =
      Pattern.compile("found no matching overload for '([^']+)' applied to '\\((.*)\\)'.*");
  private static final Pattern UNDECLARED = Pattern.compile("undeclared reference to '([^']+)'.*");
  private static final Pattern MISSING_AT_END = Pattern.compile("missing (.*) at '<EOF>'");
  private static final Pattern MISSING_KEY = Pattern.compile("key '(.*)' is not present in map\\.");

  /** How each of Braid's functions is written, for messages about a wrong call. */
  private static final Map<String, String> USAGE =
      Map.ofEntries(
          Map.entry("len", "len(x)"),
          Map.entry("default", "default(x, fallback)"),
          Map.entry("contains", "contains(list_or_string, x)"),
          Map.entry("range", "range(n) or range(start, end)"),
          Map.entry("min", "min(list)"),
          Map.entry("max", "max(list)"),
          Map.entry("sum", "sum(list)"),
          Map.entry("merge", "merge(object, object)"),
          Map.entry("lower", "text.lower()"),
          Map.entry("upper", "text.upper()"),
          Map.entry("format", "'pattern %s'.format([values])"),
          Map.entry("join", "list.join() or list.join(separator)"),
          Map.entry("split", "text.split(separator)"),
          Map.entry("startsWith", "text.startsWith(prefix)"),
          Map.entry("endsWith", "text.endsWith(suffix)"),
          Map.entry("matches", "text.matches(regex)"),
          Map.entry("size", "size(x) or x.size()"),
          Map.entry("has", "has(x.field)"),
          Map.entry("map", "list.map(x, expression)"),
          Map.entry("filter", "list.filter(x, condition)"),
          Map.entry("exists", "list.exists(x, condition)"),
          Map.entry("all", "list.all(x, condition)"),
          Map.entry("timestamp", "timestamp('2024-01-01T00:00:00Z')"),
          Map.entry("duration", "duration('1h30m')"));

  /** Every function an expression can call, for "did you mean". */
  private static final List<String> FUNCTIONS =
      List.of(
          "len",
          "default",
          "contains",
          "range",
          "min",
          "max",
          "sum",
          "merge",
          "lower",
          "upper",
          "format",
          "join",
          "size",
          "has",
          "map",
          "filter",
          "exists",
          "exists_one",
          "all",
          "startsWith",
          "endsWith",
          "matches",
          "split",
          "trim",
          "substring",
          "indexOf",
          "timestamp",
          "duration",
          "int",
          "double",
          "string",
          "bool",
          "type");

  private static final Map<String, String> OPERATORS =
      Map.ofEntries(
          Map.entry("_&&_", "&&"),
          Map.entry("_||_", "||"),
          Map.entry("!_", "!"),
          Map.entry("-_", "-"),
          Map.entry("_?_:_", "?:"),
          Map.entry("_+_", "+"),
          Map.entry("_-_", "-"),
          Map.entry("_*_", "*"),
          Map.entry("_/_", "/"),
          Map.entry("_%_", "%"),
          Map.entry("_<_", "<"),
          Map.entry("_<=_", "<="),
          Map.entry("_>_", ">"),
          Map.entry("_>=_", ">="),
          Map.entry("_==_", "=="),
          Map.entry("_!=_", "!="),
          Map.entry("_[_]", "[]"),
          Map.entry("@in", "in"));

  private Messages() {}

  /** A parse or check error's message. */
  static String issue(String message, Set<String> names) {
    Matcher m = NO_OVERLOAD.matcher(message);
    if (m.matches()) {
      String usage = USAGE.get(m.group(1));
      return noOverload(m.group(1), m.group(2)) + (usage == null ? "" : "; write " + usage);
    }
    m = UNDECLARED.matcher(message);
    if (m.matches()) {
      String name = m.group(1);
      String usage = USAGE.get(name);
      if (usage != null) {
        return "wrong call of " + name + "(): write " + usage;
      }
      return "unknown function '" + name + "'" + Spelling.suggest(name, FUNCTIONS);
    }
    if (message.startsWith("Expression recursion limit exceeded")) {
      return "the expression is nested more than " + Expression.MAX_DEPTH + " levels deep";
    }
    String text = message.replaceFirst("^Syntax error: ", "");
    if (text.startsWith("mismatched input '<EOF>'")) {
      return "the expression ends too early: expected a value";
    }
    m = MISSING_AT_END.matcher(text);
    if (m.matches()) {
      return "expected " + m.group(1) + ", found the end of the expression";
    }
    if (text.startsWith("token recognition error at: '=")) {
      return "'=' is not an operator: write == to compare";
    }
    return text;
  }

  /**
   * The function a check error is about (not an operator), so that the error can point at its name
   * rather than at its '(' where CEL places it; or null.
   */
  static String function(String message) {
    Matcher m = NO_OVERLOAD.matcher(message);
    if (!m.matches()) {
      m = UNDECLARED.matcher(message);
      if (!m.matches()) {
        return null;
      }
    }
    return OPERATORS.containsKey(m.group(1)) ? null : m.group(1);
  }

  /** Whether a check error is about one of {@code names} not being declared. */
  static boolean isUndeclared(String message, Set<String> names) {
    Matcher m = UNDECLARED.matcher(message);
    return m.matches() && names.contains(m.group(1));
  }

  private static String noOverload(String function, String types) {
    String op = OPERATORS.get(function);
    String what = op == null ? function + "()" : "'" + op + "'";
    if (op != null && (op.equals("&&") || op.equals("||") || op.equals("!"))) {
      return what + " takes booleans (true or false), not (" + types + ")";
    }
    if (op != null && op.equals("?:")) {
      return "the condition of ?: must be a boolean (true or false), not (" + types + ")";
    }
    return what + " cannot take (" + types + ")" + hint(function, types);
  }

  private static String hint(String function, String types) {
    if (types.contains("int") && types.contains("double")) {
      return "; convert with double(x) or int(x)";
    }
    if (function.equals("_+_") && types.contains("string")) {
      return "; turn the other value into text with string(x)";
    }
    return "";
  }

  /** A CEL type in words: "a string", "an integer", "a list"... */
  static String article(dev.cel.common.types.CelType t) {
    return switch (t.kind()) {
      case STRING -> "a string";
      case INT, UINT -> "an integer";
      case DOUBLE -> "a number";
      case LIST -> "a list";
      case MAP, STRUCT -> "an object";
      case NULL_TYPE -> "null";
      case TIMESTAMP -> "a timestamp";
      case DURATION -> "a duration";
      default -> "a value of type " + t.name();
    };
  }

  /** A runtime error's message without CEL's prefix. */
  static String evaluation(String message) {
    return AT.matcher(message).replaceFirst("");
  }

  /** A runtime error as an {@link ExpressionException} at the place CEL names. */
  static ExpressionException located(
      CelEvaluationException e, String source, CelAbstractSyntaxTree ast, Budget budget) {
    String message = e.getMessage() == null ? "evaluation failed" : e.getMessage();
    Matcher at = AT.matcher(message);
    int cp = at.find() && at.group(2) != null ? Integer.parseInt(at.group(2)) : 0;
    String text = evaluation(message);
    Matcher missing = MISSING_KEY.matcher(text);
    if (missing.matches()) {
      text =
          "no field '"
              + missing.group(1)
              + "' here; for a field that may be missing write default(x."
              + missing.group(1)
              + ", fallback), has(x."
              + missing.group(1)
              + ") or x.?"
              + missing.group(1)
              + ".orValue(fallback)";
    } else if (text.startsWith("No matching overload for function '")) {
      CelExpr call = callAt(ast.getExpr(), ast, cp);
      if (call != null) {
        List<String> types = new ArrayList<>();
        Map<Long, Object> values = budget.values == null ? Map.of() : budget.values;
        call.call().target().ifPresent(t -> types.add(type(values.get(t.id()))));
        call.call().args().forEach(a -> types.add(type(values.get(a.id()))));
        text = noOverload(call.call().function(), String.join(", ", types));
      }
    } else if (text.startsWith("Function '") && e.getCause() != null) {
      text = String.valueOf(e.getCause().getMessage());
    } else if (text.startsWith("Iteration budget exceeded")) {
      text =
          "the expression iterates more than "
              + Expression.MAX_ITERATIONS
              + " times (map, filter, exists, all...); the limit is "
              + Expression.MAX_ITERATIONS;
    } else if (text.startsWith("expected boolean value, found: ")) {
      text =
          "&&, ||, ! and the condition of ?: take booleans (true or false), not "
              + text.substring("expected boolean value, found: ".length());
    } else if (text.startsWith("Index out of bounds: ")) {
      text =
          "index "
              + text.substring("Index out of bounds: ".length())
              + " is past the end of the list; for an element that may be missing write"
              + " default(x[i], fallback)";
    } else if (text.equals("/ by zero") || text.contains("divide by zero")) {
      text = "division by zero";
    } else if (text.contains("modulus by zero")) {
      text = "modulo by zero";
    }
    return new ExpressionException(Expression.charOffset(source, cp), text);
  }

  /** The type of a runtime value, in CEL's names (as the checker's messages use them). */
  private static String type(Object v) {
    if (v == null) {
      return "?";
    }
    String t = BraidFunctions.typeName(v);
    return switch (t) {
      case "an integer" -> "int";
      case "a number" -> "double";
      case "a string" -> "string";
      case "a boolean" -> "bool";
      case "a list" -> "list";
      case "an object" -> "map";
      case "null" -> "null";
      default -> t.replaceFirst("^an? ", "");
    };
  }

  /** The call whose position is {@code cp}, in the tree. */
  private static CelExpr callAt(CelExpr e, CelAbstractSyntaxTree ast, int cp) {
    Integer at = ast.getSource().getPositionsMap().get(e.id());
    if (e.getKind() == Kind.CALL && at != null && at == cp) {
      return e;
    }
    List<CelExpr> children = new ArrayList<>();
    switch (e.getKind()) {
      case SELECT -> children.add(e.select().operand());
      case CALL -> {
        e.call().target().ifPresent(children::add);
        children.addAll(e.call().args());
      }
      case LIST -> children.addAll(e.list().elements());
      case MAP ->
          e.map()
              .entries()
              .forEach(
                  en -> {
                    children.add(en.key());
                    children.add(en.value());
                  });
      case COMPREHENSION -> {
        var c = e.comprehension();
        children.addAll(
            List.of(c.iterRange(), c.accuInit(), c.loopCondition(), c.loopStep(), c.result()));
      }
      default -> {}
    }
    for (CelExpr c : children) {
      CelExpr found = callAt(c, ast, cp);
      if (found != null) {
        return found;
      }
    }
    return null;
  }
}
