package dev.braid.gateway.engine;

import dev.braid.model.FailureCode;

/**
 * A {@link RunJournal} refused a write: the run went over one of its budgets ({@code
 * RESOURCE_EXHAUSTED}), another gateway took the run over ({@code ABORTED}, fenced), or the store
 * failed ({@code UNAVAILABLE}). The engine fails the run with it; it never retries the write.
 */
public final class JournalException extends RuntimeException {
  private final FailureCode code;

  public JournalException(FailureCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public JournalException(FailureCode code, String message) {
    this(code, message, null);
  }

  public FailureCode code() {
    return code;
  }
}
