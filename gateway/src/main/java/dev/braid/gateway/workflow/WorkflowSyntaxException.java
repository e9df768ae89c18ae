package dev.braid.gateway.workflow;

/**
 * A workflow file that cannot be read as YAML or JSON at all (or cannot be read): there is no tree
 * to check, so this is the one problem reported.
 */
public final class WorkflowSyntaxException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Location at;

  /**
   * @param at where the syntax error is, or null when the file could not be read
   * @param message one line
   */
  public WorkflowSyntaxException(Location at, String message) {
    super(message);
    this.at = at;
  }

  /** Where the syntax error is; null when the file could not be read at all. */
  public Location at() {
    return at;
  }

  /** {@code file:line:col: error: message}, or {@code error: message} without a location. */
  public String render() {
    return at == null ? "error: " + getMessage() : at + ": error: " + getMessage();
  }
}
