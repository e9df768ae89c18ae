package dev.braid.gateway.workflow.expr;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.braid.gateway.workflow.expr.Lexer.Kind;
import dev.braid.gateway.workflow.expr.Lexer.Token;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recursive descent over the grammar below, loosest binding first. Comparisons do not chain ({@code
 * a < b < c} is an error, as it is almost never what was meant).
 *
 * <pre>
 * or      := and ('||' and)*
 * and     := equal ('&&' equal)*
 * equal   := compare (('==' | '!=') compare)*
 * compare := sum (('<' | '<=' | '>' | '>=') sum)?
 * sum     := product (('+' | '-') product)*
 * product := unary (('*' | '/' | '%') unary)*
 * unary   := ('!' | '-') unary | postfix
 * postfix := primary ('.' NAME | '[' or ']')*
 * primary := NUMBER | STRING | true | false | null | NAME | FUNCTION '(' args ')'
 *          | '(' or ')' | '[' (or (',' or)*)? ']'
 * </pre>
 */
final class ExpressionParser {
  private static final int MAX_DEPTH = Expression.MAX_DEPTH;

  private final List<Token> tokens;
  private int p;

  /** How deep the parser's own recursion is, in grammar levels ({@code or} and unary operators). */
  private int depth;

  /**
   * The height of each node built, for the depth limit. A left-associative chain ({@code 1 + 1 +
   * ...}) is parsed by a loop, so recursion depth alone does not bound the tree's height.
   */
  private final Map<Expr, Integer> heights = new IdentityHashMap<>();

  private ExpressionParser(List<Token> tokens) {
    this.tokens = tokens;
  }

  static Expr parse(String source) {
    if (source.length() > Expression.MAX_LENGTH) {
      throw new ExpressionException(
          0,
          "the expression is "
              + source.length()
              + " characters long; the limit is "
              + Expression.MAX_LENGTH);
    }
    List<Token> tokens = Lexer.tokens(source);
    ExpressionParser parser = new ExpressionParser(tokens);
    if (parser.peek().kind() == Kind.END) {
      throw new ExpressionException(0, "empty expression");
    }
    Expr e = parser.or();
    Token t = parser.peek();
    if (t.kind() != Kind.END) {
      throw new ExpressionException(t.pos(), "unexpected " + describe(t) + " after the expression");
    }
    return e;
  }

  private Token peek() {
    return tokens.get(p);
  }

  private Token take() {
    return tokens.get(p++);
  }

  private boolean accept(String symbol) {
    if (peek().is(symbol)) {
      p++;
      return true;
    }
    return false;
  }

  private Token expect(String symbol, String context) {
    Token t = peek();
    if (!t.is(symbol)) {
      throw new ExpressionException(
          t.pos(), "expected '" + symbol + "' " + context + ", found " + describe(t));
    }
    return take();
  }

  private Expr or() {
    if (++depth > MAX_DEPTH) {
      throw new ExpressionException(
          peek().pos(), "the expression is nested more than " + MAX_DEPTH + " levels deep");
    }
    Expr left = and();
    while (peek().is("||")) {
      Token op = take();
      left = built(new Expr.Binary(Op.OR, left, and(), op.pos()));
    }
    depth--;
    return left;
  }

  private Expr and() {
    Expr left = equal();
    while (peek().is("&&")) {
      Token op = take();
      left = built(new Expr.Binary(Op.AND, left, equal(), op.pos()));
    }
    return left;
  }

  private Expr equal() {
    Expr left = compare();
    while (peek().is("==") || peek().is("!=")) {
      Token op = take();
      left = built(new Expr.Binary(op.is("==") ? Op.EQ : Op.NE, left, compare(), op.pos()));
    }
    return left;
  }

  private Expr compare() {
    Expr left = sum();
    Op op = comparison(peek());
    if (op == null) {
      return left;
    }
    Token t = take();
    Expr result = built(new Expr.Binary(op, left, sum(), t.pos()));
    if (comparison(peek()) != null) {
      throw new ExpressionException(
          peek().pos(), "comparisons do not chain: write a < b && b < c instead of a < b < c");
    }
    return result;
  }

  private static Op comparison(Token t) {
    if (t.kind() != Kind.SYMBOL) {
      return null;
    }
    return switch (t.text()) {
      case "<" -> Op.LT;
      case "<=" -> Op.LE;
      case ">" -> Op.GT;
      case ">=" -> Op.GE;
      default -> null;
    };
  }

  private Expr sum() {
    Expr left = product();
    while (peek().is("+") || peek().is("-")) {
      Token op = take();
      left = built(new Expr.Binary(op.is("+") ? Op.ADD : Op.SUB, left, product(), op.pos()));
    }
    return left;
  }

  private Expr product() {
    Expr left = unary();
    while (peek().is("*") || peek().is("/") || peek().is("%")) {
      Token op = take();
      Op o = op.is("*") ? Op.MUL : op.is("/") ? Op.DIV : Op.MOD;
      left = built(new Expr.Binary(o, left, unary(), op.pos()));
    }
    return left;
  }

  private Expr unary() {
    if (peek().is("!") || peek().is("-")) {
      Token op = take();
      if (++depth > MAX_DEPTH) {
        throw new ExpressionException(
            op.pos(), "the expression is nested more than " + MAX_DEPTH + " levels deep");
      }
      Expr operand = unary();
      depth--;
      return built(new Expr.Unary(op.is("!") ? Op.NOT : Op.NEG, operand, op.pos()));
    }
    return postfix();
  }

  private Expr postfix() {
    Expr e = primary();
    while (true) {
      Token t = peek();
      if (t.is(".")) {
        take();
        Token name = take();
        if (name.kind() != Kind.IDENT) {
          throw new ExpressionException(
              name.pos(), "expected a field name after '.', found " + describe(name));
        }
        e = built(new Expr.Member(e, name.text(), name.pos()));
      } else if (t.is("[")) {
        take();
        Expr index = or();
        expect("]", "to close the index");
        e = built(new Expr.Index(e, index, t.pos()));
      } else if (t.is("(")) {
        throw new ExpressionException(
            t.pos(),
            "only the built-in functions can be called ("
                + Functions.NAMES
                + "); values have no methods");
      } else {
        return e;
      }
    }
  }

  private Expr primary() {
    Token t = take();
    switch (t.kind()) {
      case NUMBER:
        return new Expr.Literal(
            t.value() instanceof Long l
                ? LongNode.valueOf(l)
                : DoubleNode.valueOf((Double) t.value()),
            t.pos());
      case STRING:
        return new Expr.Literal(TextNode.valueOf((String) t.value()), t.pos());
      case IDENT:
        return identifier(t);
      case SYMBOL:
        if (t.is("(")) {
          Expr inner = or();
          expect(")", "to close the '('");
          return inner;
        }
        if (t.is("[")) {
          List<Expr> items = new ArrayList<>();
          if (!accept("]")) {
            do {
              items.add(or());
            } while (accept(","));
            expect("]", "to close the list");
          }
          return built(new Expr.ListOf(items, t.pos()));
        }
        throw new ExpressionException(t.pos(), "expected a value, found " + describe(t));
      default:
        throw new ExpressionException(t.pos(), "expression ends too early: expected a value");
    }
  }

  private Expr identifier(Token t) {
    switch (t.text()) {
      case "true":
        return new Expr.Literal(BooleanNode.TRUE, t.pos());
      case "false":
        return new Expr.Literal(BooleanNode.FALSE, t.pos());
      case "null":
        return new Expr.Literal(NullNode.getInstance(), t.pos());
      default:
        break;
    }
    if (!peek().is("(")) {
      return new Expr.Name(t.text(), t.pos());
    }
    Integer arity = Functions.ARITY.get(t.text());
    if (arity == null) {
      throw new ExpressionException(
          t.pos(),
          "unknown function '"
              + t.text()
              + "'"
              + Spelling.suggest(t.text(), Functions.ARITY.keySet())
              + " (functions: "
              + Functions.NAMES
              + ")");
    }
    take();
    List<Expr> args = new ArrayList<>();
    if (!accept(")")) {
      do {
        args.add(or());
      } while (accept(","));
      expect(")", "to close the call of " + t.text() + "()");
    }
    if (args.size() != arity) {
      throw new ExpressionException(
          t.pos(),
          t.text()
              + "() takes "
              + arity
              + (arity == 1 ? " argument" : " arguments")
              + ", got "
              + args.size());
    }
    return built(new Expr.Call(t.text(), args, t.pos()));
  }

  /**
   * Records the height of {@code e} (leaves are 1, and need no entry) and refuses it past {@link
   * #MAX_DEPTH}, at the operator, bracket or call that went too deep.
   */
  private <E extends Expr> E built(E e) {
    List<Expr> children = List.of();
    if (e instanceof Expr.Binary b) {
      children = List.of(b.left(), b.right());
    } else if (e instanceof Expr.Unary u) {
      children = List.of(u.operand());
    } else if (e instanceof Expr.Member m) {
      children = List.of(m.target());
    } else if (e instanceof Expr.Index i) {
      children = List.of(i.target(), i.index());
    } else if (e instanceof Expr.Call c) {
      children = c.args();
    } else if (e instanceof Expr.ListOf l) {
      children = l.items();
    }
    int height = 1;
    for (Expr c : children) {
      height = Math.max(height, heights.getOrDefault(c, 1) + 1);
    }
    if (height > MAX_DEPTH) {
      throw new ExpressionException(
          e.pos(), "the expression is nested more than " + MAX_DEPTH + " levels deep");
    }
    heights.put(e, height);
    return e;
  }

  private static String describe(Token t) {
    return switch (t.kind()) {
      case END -> "the end of the expression";
      case STRING -> "string " + t.text();
      default -> "'" + t.text() + "'";
    };
  }
}
