package dev.braid.gateway.workflow.expr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Comparator;

/**
 * Evaluates a syntax tree over JSON values. Nothing here reaches outside the values it is given: no
 * reflection, no Java method calls, no I/O. Reading a missing field, or an index past the end of a
 * list, gives null (so {@code default(steps.a.b, 0)} works); reading a field of a number or a
 * string is an error.
 */
final class Evaluator {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final Comparator<JsonNode> NUMERIC =
      (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
          return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
      };

  private final Bindings bindings;

  Evaluator(Bindings bindings) {
    this.bindings = bindings;
  }

  /** JSON equality in which 1 and 1.0 are the same number. */
  static boolean same(JsonNode a, JsonNode b) {
    return a.equals(NUMERIC, b);
  }

  JsonNode eval(Expr e) {
    if (e instanceof Expr.Literal l) {
      return l.value();
    }
    if (e instanceof Expr.Name n) {
      JsonNode v = bindings.lookup(n.name());
      if (v == null) {
        throw new ExpressionException(n.pos(), "unknown name '" + n.name() + "'");
      }
      return v;
    }
    if (e instanceof Expr.Member m) {
      return field(eval(m.target()), m.name(), m.pos());
    }
    if (e instanceof Expr.Index ix) {
      return index(eval(ix.target()), eval(ix.index()), ix.pos());
    }
    if (e instanceof Expr.Unary u) {
      JsonNode v = eval(u.operand());
      if (u.op() == Op.NOT) {
        return BooleanNode.valueOf(!Values.truthy(v));
      }
      requireNumber(v, u.pos(), "-");
      if (v.isIntegralNumber() && v.canConvertToLong() && v.longValue() != Long.MIN_VALUE) {
        return LongNode.valueOf(-v.longValue());
      }
      return DoubleNode.valueOf(-v.doubleValue());
    }
    if (e instanceof Expr.Binary b) {
      return binary(b);
    }
    if (e instanceof Expr.Call c) {
      return call(c);
    }
    ArrayNode list = NODES.arrayNode();
    for (Expr item : ((Expr.ListOf) e).items()) {
      list.add(eval(item));
    }
    return list;
  }

  private static JsonNode field(JsonNode target, String name, int pos) {
    if (target.isNull() || target.isMissingNode()) {
      return NullNode.getInstance();
    }
    if (!target.isObject()) {
      throw new ExpressionException(
          pos, "cannot read field '" + name + "' of " + Values.typeName(target));
    }
    JsonNode v = target.get(name);
    return v == null ? NullNode.getInstance() : v;
  }

  private static JsonNode index(JsonNode target, JsonNode index, int pos) {
    if (target.isNull() || target.isMissingNode()) {
      return NullNode.getInstance();
    }
    if (target.isArray()) {
      if (!index.isIntegralNumber()) {
        throw new ExpressionException(
            pos, "a list index must be an integer, not " + Values.typeName(index));
      }
      long i = index.longValue();
      JsonNode v = i < 0 || i >= target.size() ? null : target.get((int) i);
      return v == null ? NullNode.getInstance() : v;
    }
    if (target.isObject()) {
      if (!index.isTextual()) {
        throw new ExpressionException(
            pos, "an object field name must be a string, not " + Values.typeName(index));
      }
      return field(target, index.textValue(), pos);
    }
    throw new ExpressionException(pos, "cannot index " + Values.typeName(target));
  }

  private JsonNode binary(Expr.Binary b) {
    switch (b.op()) {
      case AND:
        return BooleanNode.valueOf(Values.truthy(eval(b.left())) && Values.truthy(eval(b.right())));
      case OR:
        return BooleanNode.valueOf(Values.truthy(eval(b.left())) || Values.truthy(eval(b.right())));
      default:
        break;
    }
    JsonNode l = eval(b.left());
    JsonNode r = eval(b.right());
    switch (b.op()) {
      case EQ:
        return BooleanNode.valueOf(same(l, r));
      case NE:
        return BooleanNode.valueOf(!same(l, r));
      case LT:
      case LE:
      case GT:
      case GE:
        return BooleanNode.valueOf(compare(b.op(), l, r, b.pos()));
      case ADD:
        if (l.isTextual() || r.isTextual()) {
          return TextNode.valueOf(Values.text(l) + Values.text(r));
        }
        if (l.isArray() && r.isArray()) {
          return NODES.arrayNode().addAll((ArrayNode) l).addAll((ArrayNode) r);
        }
        return arithmetic(b.op(), l, r, b.pos());
      default:
        return arithmetic(b.op(), l, r, b.pos());
    }
  }

  private static boolean compare(Op op, JsonNode l, JsonNode r, int pos) {
    int c;
    if (l.isNumber() && r.isNumber()) {
      c = l.decimalValue().compareTo(r.decimalValue());
    } else if (l.isTextual() && r.isTextual()) {
      c = l.textValue().compareTo(r.textValue());
    } else {
      throw new ExpressionException(
          pos,
          "cannot compare "
              + Values.typeName(l)
              + " with "
              + Values.typeName(r)
              + " using "
              + op.symbol());
    }
    return switch (op) {
      case LT -> c < 0;
      case LE -> c <= 0;
      case GT -> c > 0;
      default -> c >= 0;
    };
  }

  private static JsonNode arithmetic(Op op, JsonNode l, JsonNode r, int pos) {
    requireNumber(l, pos, op.symbol());
    requireNumber(r, pos, op.symbol());
    if ((op == Op.DIV || op == Op.MOD) && r.doubleValue() == 0) {
      throw new ExpressionException(pos, op == Op.DIV ? "division by zero" : "modulo by zero");
    }
    if (l.isIntegralNumber()
        && r.isIntegralNumber()
        && l.canConvertToLong()
        && r.canConvertToLong()) {
      long a = l.longValue();
      long c = r.longValue();
      try {
        switch (op) {
          case ADD:
            return LongNode.valueOf(Math.addExact(a, c));
          case SUB:
            return LongNode.valueOf(Math.subtractExact(a, c));
          case MUL:
            return LongNode.valueOf(Math.multiplyExact(a, c));
          case MOD:
            return LongNode.valueOf(a % c);
          default:
            if (a % c == 0 && !(a == Long.MIN_VALUE && c == -1)) {
              return LongNode.valueOf(a / c);
            }
            break;
        }
      } catch (ArithmeticException overflow) {
        // fall through to floating point, like JSON numbers in most languages
      }
    }
    double a = l.doubleValue();
    double c = r.doubleValue();
    double v =
        switch (op) {
          case ADD -> a + c;
          case SUB -> a - c;
          case MUL -> a * c;
          case DIV -> a / c;
          default -> a % c;
        };
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      throw new ExpressionException(
          pos, "the result of " + op.symbol() + " is not a finite number");
    }
    return DoubleNode.valueOf(v);
  }

  private static void requireNumber(JsonNode v, int pos, String op) {
    if (!v.isNumber()) {
      throw new ExpressionException(pos, "'" + op + "' needs numbers, not " + Values.typeName(v));
    }
  }

  private JsonNode call(Expr.Call c) {
    switch (c.function()) {
      case "len":
        return Functions.len(eval(c.args().get(0)), c.pos());
      case "default":
        {
          JsonNode v = eval(c.args().get(0));
          return v.isNull() || v.isMissingNode() ? eval(c.args().get(1)) : v;
        }
      default:
        return Functions.contains(eval(c.args().get(0)), eval(c.args().get(1)), c.pos());
    }
  }
}
