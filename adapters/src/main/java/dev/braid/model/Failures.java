package dev.braid.model;

import java.io.StringWriter;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Conversions between failure records and the exceptions calls complete with. */
public final class Failures {
  private Failures() {}

  /** The exception a future completes with for this failure record. */
  public static Throwable toException(Failure failure, boolean abandoned) {
    return switch (failure.code()) {
      case CANCELLED -> new BraidCancellationException(failure, abandoned);
      case DEADLINE_EXCEEDED -> new DeadlineExceededException(failure, abandoned);
      default -> new RemoteException(failure);
    };
  }

  /**
   * The failure record behind any throwable: Braid's own exceptions give theirs, wrappers ({@link
   * CompletionException}, {@link ExecutionException}) are unwrapped, anything else becomes an
   * {@code APPLICATION} failure of language "java" with its causes chained.
   */
  public static Failure fromThrowable(Throwable t) {
    Throwable u = unwrap(t);
    if (u instanceof BraidFailure bf) {
      return bf.failure();
    }
    return fromJava(u, 0);
  }

  public static Throwable unwrap(Throwable t) {
    Throwable u = t;
    while ((u instanceof CompletionException || u instanceof ExecutionException)
        && u.getCause() != null) {
      u = u.getCause();
    }
    return u;
  }

  private static Failure fromJava(Throwable t, int depth) {
    Failure cause = null;
    if (t.getCause() != null && t.getCause() != t && depth < 16) {
      cause = fromJava(t.getCause(), depth + 1);
    }
    StringWriter sw = new StringWriter();
    for (StackTraceElement e : t.getStackTrace()) {
      sw.append("\tat ").append(e.toString()).append('\n');
    }
    return new Failure(
        FailureCode.APPLICATION,
        t.getClass().getName(),
        String.valueOf(t.getMessage()),
        "java",
        sw.toString(),
        cause,
        false,
        null,
        null);
  }
}
