package dev.braid.gateway.workflow;

import java.util.Comparator;

/**
 * A place in a workflow file: the file as the user named it, and a 1-based line and column.
 *
 * @param file the file's path as given (printed as is in diagnostics)
 * @param line 1-based
 * @param column 1-based
 */
public record Location(String file, int line, int column) implements Comparable<Location> {
  private static final Comparator<Location> ORDER =
      Comparator.comparing(Location::file)
          .thenComparingInt(Location::line)
          .thenComparingInt(Location::column);

  @Override
  public int compareTo(Location o) {
    return ORDER.compare(this, o);
  }

  /** {@code file:line:column}. */
  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
