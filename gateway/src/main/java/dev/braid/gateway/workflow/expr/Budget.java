package dev.braid.gateway.workflow.expr;

import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelExpr.ExprKind.Kind;
import dev.cel.runtime.CelEvaluationListener;
import java.util.HashMap;
import java.util.Map;

/**
 * What one evaluation has built, stopped at {@link Expression#MAX_BUILT_ELEMENTS} elements and
 * {@link Expression#MAX_BUILT_CHARS} characters: CEL bounds the iterations of its macros but not
 * the size of the lists and strings each iteration makes ({@code range(10000).map(i, s + s)}). The
 * runtime calls {@link #callback} after each node it evaluates, on the evaluating thread; one
 * instance serves one evaluation. It also keeps the last value of each node, so that an error can
 * name the types of the operands at fault.
 */
final class Budget implements CelEvaluationListener {
  private long elements;
  private long chars;

  /**
   * Values of the nodes evaluated so far, by node id (the last value, in a loop), or null when not
   * recorded: an evaluation that fails is run again recording them (evaluation has no side
   * effects), so that the common case does not pay for it.
   */
  final Map<Long, Object> values;

  Budget(boolean record) {
    this.values = record ? new HashMap<>() : null;
  }

  @Override
  public void callback(CelExpr expr, Object result) {
    if (values != null) {
      values.put(expr.id(), result);
    }
    Kind k = expr.getKind();
    if (k != Kind.CALL && k != Kind.LIST && k != Kind.MAP && k != Kind.COMPREHENSION) {
      return;
    }
    if (k == Kind.CALL && appendsToAccumulator(expr)) {
      // map/filter add one element per iteration to their result: counted as that element's list
      return;
    }
    if (result instanceof String s) {
      chars += s.length();
      if (chars > Expression.MAX_BUILT_CHARS) {
        throw new Exceeded(
            expr,
            "the expression builds more than "
                + Expression.MAX_BUILT_CHARS
                + " characters of text; the limit is "
                + Expression.MAX_BUILT_CHARS);
      }
    } else {
      elements += JsonValues.weight(result);
      if (elements > Expression.MAX_BUILT_ELEMENTS) {
        throw new Exceeded(
            expr,
            "the expression builds more than "
                + Expression.MAX_BUILT_ELEMENTS
                + " list elements and object fields; the limit is "
                + Expression.MAX_BUILT_ELEMENTS);
      }
    }
  }

  /** {@code @result + [x]}: the step of a {@code map} or {@code filter} macro. */
  private static boolean appendsToAccumulator(CelExpr e) {
    if (!e.call().function().equals("_+_") || e.call().args().isEmpty()) {
      return false;
    }
    CelExpr left = e.call().args().get(0);
    return left.getKind() == Kind.IDENT
        && (left.ident().name().startsWith("@") || left.ident().name().equals("__result__"));
  }

  /** Thrown from inside the runtime to stop an evaluation over budget. */
  static final class Exceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient CelExpr expr;

    Exceeded(CelExpr expr, String message) {
      super(message, null, false, false);
      this.expr = expr;
    }
  }
}
