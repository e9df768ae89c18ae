package dev.braid.gateway.workflow;

/**
 * A value written in a workflow file, with where it was written.
 *
 * @param value never null
 * @param at where the value (not its key) starts
 */
public record Located<T>(T value, Location at) {
  public Located {
    java.util.Objects.requireNonNull(value, "value");
    java.util.Objects.requireNonNull(at, "at");
  }

  @Override
  public String toString() {
    return String.valueOf(value);
  }
}
