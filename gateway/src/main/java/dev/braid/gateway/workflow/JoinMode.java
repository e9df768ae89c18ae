package dev.braid.gateway.workflow;

import java.util.Locale;

/**
 * How the children of a {@code parallel} (or the items of a {@code for_each}) combine, DESIGN §3.8:
 * {@code all} fails on the first failure and cancels the rest ({@code sibling_failed}); {@code
 * settled} waits for every outcome; {@code race} takes the first to settle; {@code any} the first
 * success. Losers are always cancelled.
 */
public enum JoinMode {
  ALL,
  SETTLED,
  RACE,
  ANY;

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
