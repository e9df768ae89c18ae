package dev.braid.gateway.report;

import java.util.OptionalInt;

/**
 * Reads the structure out of a step instance's id (see {@code RunEvent#step}): {@code profile} is a
 * top-level step, {@code fanout.a} the branch {@code a} of {@code fanout}, {@code prices.do[3]} the
 * fourth item of the {@code for_each} {@code prices}. Names that are not plain identifiers are
 * written quoted in brackets ({@code pick["1.5"]}), so a {@code .} or {@code [} inside quotes is
 * not structure.
 */
final class StepIds {
  private StepIds() {}

  /** The item index an id ends with ({@code prices.do[3]} gives 3), if it is a loop item. */
  static OptionalInt index(String id) {
    if (id == null || !id.endsWith("]")) {
      return OptionalInt.empty();
    }
    int open = id.lastIndexOf('[');
    if (open < 0 || open + 1 >= id.length() - 1) {
      return OptionalInt.empty();
    }
    String digits = id.substring(open + 1, id.length() - 1);
    if (digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(Integer.parseInt(digits));
  }

  /**
   * The id of the step instance this one belongs to, or null for a top-level step: {@code fanout.a}
   * gives {@code fanout}; a loop item gives the loop ({@code prices.do[3]} gives {@code prices},
   * not the body's name).
   */
  static String parent(String id) {
    if (id == null) {
      return null;
    }
    String own = index(id).isPresent() ? id.substring(0, id.lastIndexOf('[')) : id;
    int cut = lastSeparator(own);
    if (cut < 0) {
      return null;
    }
    return own.substring(0, cut);
  }

  /** The index of the last {@code .} or {@code [} outside quotes that starts a segment, or -1. */
  private static int lastSeparator(String id) {
    int last = -1;
    boolean quoted = false;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '\\' && quoted) {
        i++;
      } else if (!quoted && (c == '.' || c == '[')) {
        last = i;
      }
    }
    return last;
  }
}
