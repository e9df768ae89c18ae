package dev.braid.gateway.workflow;

import java.util.Comparator;

/**
 * One problem found in a workflow file.
 *
 * @param at where the problem is
 * @param message a plain sentence, without the location
 */
public record Diagnostic(Location at, String message) implements Comparable<Diagnostic> {
  private static final Comparator<Diagnostic> ORDER =
      Comparator.comparing(Diagnostic::at).thenComparing(Diagnostic::message);

  /** {@code file:line:col: error: message}, the form compilers use (and editors understand). */
  public String render() {
    return at + ": error: " + message;
  }

  @Override
  public int compareTo(Diagnostic o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return render();
  }
}
