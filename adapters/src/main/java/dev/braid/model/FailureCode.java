package dev.braid.model;

/** The outcome codes of DESIGN §3.2, the same in every language. */
public enum FailureCode {
  CANCELLED,
  DEADLINE_EXCEEDED,
  /** Worker lost, circuit open. */
  UNAVAILABLE,
  /** Limits, overload. */
  RESOURCE_EXHAUSTED,
  /** Bad input, unknown function, not serializable. */
  INVALID_ARGUMENT,
  /** The function raised or rejected. */
  APPLICATION,
  INTERNAL;

  /** Whether a retry policy may retry this code unless told otherwise. */
  public boolean retryableByDefault() {
    return this == DEADLINE_EXCEEDED || this == UNAVAILABLE;
  }
}
