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

  /**
   * Messages quote the file's own text (a bad type name, a key), and the file is hostile: the quote
   * is cut in the middle so one diagnostic stays a readable line whatever the file holds.
   */
  static final int MAX_MESSAGE_CHARS = 1_000;

  public Diagnostic {
    if (message.length() > MAX_MESSAGE_CHARS) {
      int half = (MAX_MESSAGE_CHARS - 20) / 2;
      int cut = message.length() - 2 * half;
      message =
          message.substring(0, half)
              + " …("
              + cut
              + " chars)… "
              + message.substring(message.length() - half);
    }
  }

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
