package dev.braid.gateway.workflow.expr;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The syntax tree of an expression. Every node keeps {@code pos}, its offset in the expression's
 * source, so that evaluation errors point at the right column. There is deliberately no node for
 * method calls, field access on Java objects or assignment: values are JSON, and the only calls are
 * the built-in functions of {@link Functions}.
 */
public sealed interface Expr {
  int pos();

  /** A number, string, boolean or null written in the expression. */
  record Literal(JsonNode value, int pos) implements Expr {}

  /** A bare name: {@code input}, {@code steps}, a loop variable, {@code error}. */
  record Name(String name, int pos) implements Expr {}

  /** {@code target.name}: a field of a JSON object. */
  record Member(Expr target, String name, int pos) implements Expr {}

  /** {@code target[index]}: an element of a JSON array, or a field of a JSON object. */
  record Index(Expr target, Expr index, int pos) implements Expr {}

  /** {@code !operand} or {@code -operand}. */
  record Unary(Op op, Expr operand, int pos) implements Expr {}

  /** {@code left op right}; {@code pos} is the operator's. */
  record Binary(Op op, Expr left, Expr right, int pos) implements Expr {}

  /** {@code function(args...)}, one of the built-in functions. */
  record Call(String function, List<Expr> args, int pos) implements Expr {
    public Call {
      args = List.copyOf(args);
    }
  }

  /** {@code [a, b, ...]}. */
  record ListOf(List<Expr> items, int pos) implements Expr {
    public ListOf {
      items = List.copyOf(items);
    }
  }
}
