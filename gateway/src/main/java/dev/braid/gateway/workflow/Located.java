package dev.braid.gateway.workflow;

import java.util.Objects;

/**
 * A value written in a workflow file, with where it was written.
 *
 * @param value never null
 * @param at where the value (not its key) starts
 */
public record Located<T>(T value, Location at) {
  public Located {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(at, "at");
  }

  @Override
  public String toString() {
    return String.valueOf(value);
  }
}
