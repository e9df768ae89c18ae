package dev.braid.gateway.workflow.expr;

import static dev.cel.common.CelFunctionDecl.newFunctionDeclaration;
import static dev.cel.common.CelOverloadDecl.newGlobalOverload;
import static dev.cel.common.CelOverloadDecl.newMemberOverload;

import dev.cel.common.CelErrorCode;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.exceptions.CelRuntimeException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.parser.CelMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The functions Braid adds to CEL's standard library and extensions, under the names workflows used
 * before CEL ({@code len}, {@code default}, {@code contains}) and the names the issue asks for
 * where CEL has none ({@code range}, {@code min}, {@code max}, {@code sum}, {@code merge}, {@code
 * lower}, {@code upper}, {@code format}, {@code join}); and the mixed int/double arithmetic that
 * JSON numbers need. docs/workflows.md ("Expressions") lists each with an example.
 */
final class BraidFunctions {
  /** The internal function {@code default(x, fallback)} expands to; see {@link #DEFAULT}. */
  static final String DEFAULT_PATH = "_braid_default";

  private static final CelType DYN = SimpleType.DYN;
  private static final CelType INT = SimpleType.INT;
  private static final CelType DOUBLE = SimpleType.DOUBLE;
  private static final CelType STRING = SimpleType.STRING;
  private static final CelType BOOL = SimpleType.BOOL;
  private static final CelType LIST = ListType.create(DYN);
  private static final CelType MAP = MapType.create(DYN, DYN);
  private static final CelType OBJECT = MapType.create(STRING, DYN);

  private BraidFunctions() {}

  /**
   * {@code default(x, fallback)}: a macro, because in CEL reading a missing field is an error
   * before any function sees it. A path {@code a.b[0].c} becomes {@code _braid_default(a, ['b', 0,
   * 'c'], fallback)}, which walks the path itself and gives the fallback at the first missing
   * field, index past the end or null; any other {@code x} becomes {@code _braid_default(x, [],
   * fallback)}.
   */
  static final CelMacro DEFAULT =
      CelMacro.newGlobalMacro(
          "default",
          2,
          (factory, target, args) -> {
            List<CelExpr> keys = new ArrayList<>();
            CelExpr cur = args.get(0);
            while (true) {
              if (cur.getKind() == CelExpr.ExprKind.Kind.SELECT && !cur.select().testOnly()) {
                keys.add(factory.newStringLiteral(cur.select().field()));
                cur = cur.select().operand();
              } else if (cur.getKind() == CelExpr.ExprKind.Kind.CALL
                  && cur.call().function().equals("_[_]")
                  && cur.call().target().isEmpty()
                  && cur.call().args().size() == 2) {
                keys.add(cur.call().args().get(1));
                cur = cur.call().args().get(0);
              } else {
                break;
              }
            }
            Collections.reverse(keys);
            return Optional.of(
                factory.newGlobalCall(DEFAULT_PATH, cur, factory.newList(keys), args.get(1)));
          });

  static List<CelFunctionDecl> declarations() {
    return List.of(
        newFunctionDeclaration(
            DEFAULT_PATH, newGlobalOverload("braid_default", DYN, DYN, LIST, DYN)),
        newFunctionDeclaration("len", newGlobalOverload("braid_len", INT, DYN)),
        newFunctionDeclaration("contains", newGlobalOverload("braid_contains", BOOL, DYN, DYN)),
        newFunctionDeclaration(
            "range",
            newGlobalOverload("braid_range", LIST, INT),
            newGlobalOverload("braid_range_from", LIST, INT, INT)),
        newFunctionDeclaration("min", newGlobalOverload("braid_min", DYN, LIST)),
        newFunctionDeclaration("max", newGlobalOverload("braid_max", DYN, LIST)),
        newFunctionDeclaration("sum", newGlobalOverload("braid_sum", DYN, LIST)),
        newFunctionDeclaration("merge", newGlobalOverload("braid_merge", OBJECT, MAP, MAP)),
        newFunctionDeclaration("lower", newMemberOverload("braid_lower", STRING, STRING)),
        newFunctionDeclaration("upper", newMemberOverload("braid_upper", STRING, STRING)),
        newFunctionDeclaration("format", newMemberOverload("braid_format", STRING, STRING, LIST)),
        newFunctionDeclaration(
            "join",
            newMemberOverload("braid_join", STRING, LIST),
            newMemberOverload("braid_join_sep", STRING, LIST, STRING)),
        mixed("_+_", "add"),
        mixed("_-_", "subtract"),
        mixed("_*_", "multiply"),
        mixed("_/_", "divide"));
  }

  /** The int/double overloads of an arithmetic operator (JSON has one kind of number). */
  private static CelFunctionDecl mixed(String operator, String name) {
    return newFunctionDeclaration(
        operator,
        newGlobalOverload("braid_" + name + "_int_double", DOUBLE, INT, DOUBLE),
        newGlobalOverload("braid_" + name + "_double_int", DOUBLE, DOUBLE, INT));
  }

  static List<CelFunctionBinding> bindings() {
    List<CelFunctionBinding> b = new ArrayList<>();
    b.add(
        CelFunctionBinding.from(
            "braid_default",
            List.of(Object.class, List.class, Object.class),
            a -> defaultPath(a[0], (List<?>) a[1], a[2])));
    b.add(CelFunctionBinding.from("braid_len", Object.class, BraidFunctions::len));
    b.add(
        CelFunctionBinding.from(
            "braid_contains", Object.class, Object.class, BraidFunctions::contains));
    b.add(CelFunctionBinding.from("braid_range", Long.class, n -> range(0, n)));
    b.add(
        CelFunctionBinding.from("braid_range_from", Long.class, Long.class, BraidFunctions::range));
    b.add(CelFunctionBinding.from("braid_min", List.class, l -> extreme(l, -1, "min")));
    b.add(CelFunctionBinding.from("braid_max", List.class, l -> extreme(l, 1, "max")));
    b.add(CelFunctionBinding.from("braid_sum", List.class, BraidFunctions::sum));
    b.add(CelFunctionBinding.from("braid_merge", Map.class, Map.class, BraidFunctions::merge));
    b.add(CelFunctionBinding.from("braid_lower", String.class, s -> s.toLowerCase(Locale.ROOT)));
    b.add(CelFunctionBinding.from("braid_upper", String.class, s -> s.toUpperCase(Locale.ROOT)));
    b.add(CelFunctionBinding.from("braid_format", String.class, List.class, Format::format));
    b.add(CelFunctionBinding.from("braid_join", List.class, l -> join(l, "")));
    b.add(
        CelFunctionBinding.from("braid_join_sep", List.class, String.class, BraidFunctions::join));
    for (String op : List.of("add", "subtract", "multiply", "divide")) {
      b.add(
          CelFunctionBinding.from(
              "braid_" + op + "_int_double",
              Long.class,
              Double.class,
              (x, y) -> arithmetic(op, x.doubleValue(), y)));
      b.add(
          CelFunctionBinding.from(
              "braid_" + op + "_double_int",
              Double.class,
              Long.class,
              (x, y) -> arithmetic(op, x, y.doubleValue())));
    }
    return b;
  }

  private static double arithmetic(String op, double x, double y) {
    return switch (op) {
      case "add" -> x + y;
      case "subtract" -> x - y;
      case "multiply" -> x * y;
      default -> x / y;
    };
  }

  /**
   * An error from one of these functions. A {@link CelRuntimeException}, because that is what the
   * runtime wraps with the position of the call (a {@link CelEvaluationException} would lose it).
   */
  static RuntimeException error(String message) {
    return new FunctionError(message);
  }

  private static final class FunctionError extends CelRuntimeException {
    private static final long serialVersionUID = 1L;

    FunctionError(String message) {
      super(new IllegalArgumentException(message), CelErrorCode.INVALID_ARGUMENT);
    }
  }

  private static Object defaultPath(Object root, List<?> keys, Object fallback)
      throws CelEvaluationException {
    Object cur = root;
    for (Object key : keys) {
      if (cur instanceof NullValue) {
        return fallback;
      }
      if (cur instanceof Map<?, ?> m) {
        if (!m.containsKey(key)) {
          return fallback;
        }
        cur = m.get(key);
      } else if (cur instanceof List<?> l && key instanceof Long i) {
        if (i < 0 || i >= l.size()) {
          return fallback;
        }
        cur = l.get(i.intValue());
      } else if (cur instanceof List<?>) {
        throw error("a list index must be an integer, not " + typeName(key));
      } else {
        throw error("cannot read '" + key + "' of " + typeName(cur));
      }
    }
    return cur instanceof NullValue ? fallback : cur;
  }

  private static Object len(Object v) throws CelEvaluationException {
    if (v instanceof NullValue) {
      return 0L;
    }
    if (v instanceof String s) {
      return (long) s.codePointCount(0, s.length());
    }
    if (v instanceof List<?> l) {
      return (long) l.size();
    }
    if (v instanceof Map<?, ?> m) {
      return (long) m.size();
    }
    throw error("len() needs a string, a list or an object, not " + typeName(v));
  }

  private static Object contains(Object hay, Object needle) throws CelEvaluationException {
    if (hay instanceof NullValue) {
      return false;
    }
    if (hay instanceof String s) {
      if (!(needle instanceof String n)) {
        throw error("contains() on a string looks for a string, not " + typeName(needle));
      }
      return s.contains(n);
    }
    if (hay instanceof List<?> l) {
      for (Object e : l) {
        if (Numbers.same(e, needle)) {
          return true;
        }
      }
      return false;
    }
    if (hay instanceof Map<?, ?> m) {
      return m.containsKey(needle);
    }
    throw error("contains() needs a string, a list or an object, not " + typeName(hay));
  }

  private static Object range(long from, long to) throws CelEvaluationException {
    if (to <= from) {
      return List.of();
    }
    if (to - from > Expression.MAX_BUILT_ELEMENTS || to - from < 0) {
      throw error(
          "range() would make more than " + Expression.MAX_BUILT_ELEMENTS + " numbers, the limit");
    }
    List<Long> out = new ArrayList<>((int) (to - from));
    for (long i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }

  private static Object extreme(List<?> l, int sign, String name) throws CelEvaluationException {
    if (l.isEmpty()) {
      throw error(name + "() of an empty list");
    }
    Object best = null;
    for (Object e : l) {
      if (!(e instanceof Long || e instanceof Double || e instanceof String)) {
        throw error(name + "() needs numbers or strings, not " + typeName(e));
      }
      if (best == null || Numbers.compare(e, best, name) * sign > 0) {
        best = e;
      }
    }
    return best;
  }

  private static Object sum(List<?> l) throws CelEvaluationException {
    long whole = 0;
    double fraction = 0;
    boolean isDouble = false;
    for (Object e : l) {
      if (e instanceof Long n && !isDouble) {
        try {
          whole = Math.addExact(whole, n);
        } catch (ArithmeticException overflow) {
          throw error("sum() overflows a 64-bit integer");
        }
      } else if (e instanceof Long n) {
        fraction += n;
      } else if (e instanceof Double d) {
        if (!isDouble) {
          fraction = whole;
          isDouble = true;
        }
        fraction += d;
      } else {
        throw error("sum() needs numbers, not " + typeName(e));
      }
    }
    return isDouble ? (Object) fraction : (Object) whole;
  }

  private static Object merge(Map<?, ?> a, Map<?, ?> b) {
    Map<Object, Object> out = new LinkedHashMap<>(a);
    out.putAll(b);
    return out;
  }

  private static Object join(List<?> l, String sep) throws CelEvaluationException {
    long total = 0;
    for (Object e : l) {
      if (!(e instanceof String s)) {
        throw error("join() needs a list of strings, not one with " + typeName(e));
      }
      total += s.length() + sep.length();
    }
    if (total > Expression.MAX_BUILT_CHARS) {
      throw error(
          "join() would make " + total + " characters; the limit is " + Expression.MAX_BUILT_CHARS);
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < l.size(); i++) {
      if (i > 0) {
        sb.append(sep);
      }
      sb.append((String) l.get(i));
    }
    return sb.toString();
  }

  /** The type of a CEL value in words, as {@link Values#typeName} says it for JSON. */
  static String typeName(Object v) {
    if (v == null || v instanceof NullValue) {
      return "null";
    }
    if (v instanceof Long) {
      return "an integer";
    }
    if (v instanceof Double) {
      return "a number";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof List<?>) {
      return "a list";
    }
    if (v instanceof Map<?, ?>) {
      return "an object";
    }
    if (v instanceof java.time.Instant) {
      return "a timestamp";
    }
    if (v instanceof java.time.Duration) {
      return "a duration";
    }
    return "a " + v.getClass().getSimpleName();
  }
}
