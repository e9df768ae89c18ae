package dev.braid.gateway.workflow.expr;

/**
 * An expression that does not parse, or that failed while being evaluated. The offset points into
 * the expression's source text (the part between {@code ${{} and {@code }}}), so callers that know
 * where that text sits in a file can report the exact column.
 */
public final class ExpressionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int offset;

  public ExpressionException(int offset, String message) {
    super(message);
    this.offset = offset;
  }

  /** Where in the expression's source the problem is (0-based). */
  public int offset() {
    return offset;
  }
}
