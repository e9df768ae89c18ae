package dev.braid.model;

import java.util.Locale;

/** Why a scope was cancelled. The wire names are stable strings shared by every language. */
public enum CancelReason {
  /** Explicit cancel by a user or client. */
  CANCELLED,
  DEADLINE_EXCEEDED,
  SIBLING_FAILED,
  RACE_LOST,
  PARENT_CANCELLED,
  SHUTDOWN,
  WORKER_LOST,
  /** A heartbeat did not arrive within heartbeat_timeout. */
  HEARTBEAT,
  /**
   * The work is no longer needed: a loop over items stopped early (its condition held, or its
   * quorum of successes was reached).
   */
  EARLY_EXIT;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name; unknown names map to {@link #CANCELLED} so a newer peer never breaks. */
  public static CancelReason fromWire(String name) {
    if (name == null || name.isEmpty()) {
      return CANCELLED;
    }
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return CANCELLED;
    }
  }

  /** The failure code a call ends with when cancelled for this reason. */
  public FailureCode failureCode() {
    return this == DEADLINE_EXCEEDED || this == HEARTBEAT
        ? FailureCode.DEADLINE_EXCEEDED
        : FailureCode.CANCELLED;
  }
}
