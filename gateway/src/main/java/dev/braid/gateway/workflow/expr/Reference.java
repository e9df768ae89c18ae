package dev.braid.gateway.workflow.expr;

import java.util.List;

/**
 * A name an expression reads, with the part of its path known before running: {@code
 * steps.orders[0].id} is root {@code steps}, path {@code ["orders", 0, "id"]}. The path stops at
 * the first index that is computed ({@code steps.orders[input.i]} has path {@code ["orders"]} and
 * {@code dynamic} true).
 *
 * @param root the bare name the expression starts from
 * @param path the static path: {@code String} field names and {@code Integer} indexes
 * @param dynamic true if the expression goes on past {@code path} with a computed index
 * @param pos the offset of the root name in the expression's source
 * @param pathPos for each element of {@code path}, its offset in the expression's source
 */
public record Reference(
    String root, List<Object> path, boolean dynamic, int pos, List<Integer> pathPos) {
  public Reference {
    path = List.copyOf(path);
    pathPos = List.copyOf(pathPos);
  }

  /** The first field after the root ({@code orders} in {@code steps.orders.x}), or null. */
  public String head() {
    return path.isEmpty() || !(path.get(0) instanceof String s) ? null : s;
  }

  /** The offset of {@link #head()}, or of the root when there is none. */
  public int headPos() {
    return pathPos.isEmpty() ? pos : pathPos.get(0);
  }
}
