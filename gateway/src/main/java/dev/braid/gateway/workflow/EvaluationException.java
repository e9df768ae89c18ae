package dev.braid.gateway.workflow;

/**
 * An expression in a workflow failed while being evaluated (comparing a string with a number,
 * dividing by zero, reading a field of a list...): the step that needed it fails with this.
 */
public final class EvaluationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Location at;

  public EvaluationException(Location at, String message) {
    super(message);
    this.at = at;
  }

  /** Where in the file the failing part of the expression is. */
  public Location at() {
    return at;
  }

  /** {@code file:line:col: message}. */
  public String render() {
    return at + ": " + getMessage();
  }
}
