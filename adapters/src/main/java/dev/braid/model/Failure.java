package dev.braid.model;

import java.util.Objects;

/**
 * The failure record, the same in every language (DESIGN §3.2). Immutable.
 *
 * @param code the outcome code
 * @param type a stable error type name, e.g. {@code ValueError}
 * @param message human text
 * @param language where it was raised: {@code python}, {@code node}, {@code java}
 * @param stack the original stack trace as text, possibly empty
 * @param cause the chained cause, or null
 * @param retryable a hint for retry policies
 * @param detailsJson optional JSON details, or null
 * @param reason for cancellations and deadlines: the cancel reason's wire name, else null
 */
public record Failure(
    FailureCode code,
    String type,
    String message,
    String language,
    String stack,
    Failure cause,
    boolean retryable,
    String detailsJson,
    String reason) {

  public Failure {
    Objects.requireNonNull(code, "code");
    type = type == null ? "" : type;
    message = message == null ? "" : message;
    language = language == null ? "" : language;
    stack = stack == null ? "" : stack;
  }

  /** A failure raised by the gateway itself (language "java"), without stack or cause. */
  public static Failure of(FailureCode code, String type, String message) {
    return new Failure(
        code, type, message, "java", "", null, code.retryableByDefault(), null, null);
  }

  /** The failure of a call cancelled for {@code reason}. */
  public static Failure cancelled(CancelReason reason, String message) {
    FailureCode code = reason.failureCode();
    String type = code == FailureCode.DEADLINE_EXCEEDED ? "DeadlineExceeded" : "Cancelled";
    return new Failure(
        code, type, message, "java", "", null, code.retryableByDefault(), null, reason.wireName());
  }

  public Failure withCause(Failure newCause) {
    return new Failure(
        code, type, message, language, stack, newCause, retryable, detailsJson, reason);
  }

  /**
   * The same record attributed to {@code newLanguage}: e.g. the cancellation of a Python call that
   * the gateway settles for the callee is the Python call's failure, not a Java one.
   */
  public Failure withLanguage(String newLanguage) {
    return new Failure(
        code, type, message, newLanguage, stack, cause, retryable, detailsJson, reason);
  }

  public Failure withDetails(String json) {
    return new Failure(code, type, message, language, stack, cause, retryable, json, reason);
  }

  /** "type: message", the way the failure is shown first to a reader. */
  public String headline() {
    if (type.isEmpty()) {
      return message;
    }
    return message.isEmpty() ? type : type + ": " + message;
  }

  /** A readable multi-line rendering: headline, stack, then each cause. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    Failure f = this;
    int depth = 0;
    while (f != null && depth < 32) {
      if (depth > 0) {
        sb.append("\nCaused by: ");
      }
      sb.append(f.headline());
      sb.append("  [").append(f.code);
      if (!f.language.isEmpty()) {
        sb.append(", ").append(f.language);
      }
      if (f.reason != null) {
        sb.append(", reason=").append(f.reason);
      }
      sb.append(']');
      if (!f.stack.isBlank()) {
        sb.append('\n').append(f.stack.stripTrailing());
      }
      f = f.cause;
      depth++;
    }
    return sb.toString();
  }
}
