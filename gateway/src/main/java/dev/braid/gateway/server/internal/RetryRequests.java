package dev.braid.gateway.server.internal;

import dev.braid.api.RetryPolicy;
import dev.braid.proto.api.v1.InvokeRequest;
import java.time.Duration;
import java.util.List;

/**
 * The {@code retry} of an {@code InvokeRequest}, validated as hostile input: every number bounded
 * so that one request cannot hold a call slot for days or make the server keep huge lists, and
 * every refusal an {@code INVALID_ARGUMENT} that names the field.
 */
final class RetryRequests {
  static final int MAX_ATTEMPTS = 100;
  static final double MAX_BACKOFF = 100;
  static final Duration MAX_WAIT = Duration.ofHours(1);
  static final int MAX_NAMES = 32;
  static final int MAX_NAME_LENGTH = 128;

  private RetryRequests() {}

  /** A request's retry settings: the policy, and each attempt's limit (null: none). */
  record Retry(RetryPolicy policy, Duration attemptTimeout) {}

  /** Null when the request has no {@code retry}. */
  static Retry of(InvokeRequest req) {
    if (!req.hasRetry()) {
      return null;
    }
    var r = req.getRetry();
    int attempts = r.getMaxAttempts() == 0 ? RetryPolicy.DEFAULT_MAX_ATTEMPTS : r.getMaxAttempts();
    // uint32 arrives as a signed int: a huge value is negative here
    if (attempts < 1 || attempts > MAX_ATTEMPTS) {
      throw Requests.invalid(
          "retry.max_attempts must be 1.."
              + MAX_ATTEMPTS
              + ", got "
              + Integer.toUnsignedString(r.getMaxAttempts()));
    }
    double backoff = r.getBackoff() == 0 ? RetryPolicy.DEFAULT_BACKOFF : r.getBackoff();
    if (!(backoff >= 1 && backoff <= MAX_BACKOFF)) {
      throw Requests.invalid("retry.backoff must be 1.." + (int) MAX_BACKOFF + ", got " + backoff);
    }
    Duration initial =
        wait(
            "retry.initial_interval",
            Requests.duration(
                "retry.initial_interval", r.hasInitialInterval(), r.getInitialInterval()),
            RetryPolicy.DEFAULT_INITIAL_INTERVAL);
    Duration max =
        wait(
            "retry.max_interval",
            Requests.duration("retry.max_interval", r.hasMaxInterval(), r.getMaxInterval()),
            RetryPolicy.DEFAULT_MAX_INTERVAL);
    if (max.compareTo(initial) < 0) {
      throw Requests.invalid(
          "retry.max_interval ("
              + max.toMillis()
              + "ms) is shorter than retry.initial_interval ("
              + initial.toMillis()
              + "ms)");
    }
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(attempts)
            .initialInterval(initial)
            .backoff(backoff)
            .maxInterval(max)
            .jitter(!r.getNoJitter())
            .retryOn(names("retry.retry_on", r.getRetryOnList()))
            .nonRetryable(names("retry.non_retryable", r.getNonRetryableList()))
            .build();
    Duration attempt =
        Requests.duration("retry.attempt_timeout", r.hasAttemptTimeout(), r.getAttemptTimeout());
    return new Retry(policy, attempt);
  }

  private static Duration wait(String field, Duration given, Duration otherwise) {
    if (given == null) {
      return otherwise;
    }
    if (given.compareTo(MAX_WAIT) > 0) {
      throw Requests.invalid(field + " must be at most 1h, got " + given.toMillis() + "ms");
    }
    return given;
  }

  private static List<String> names(String field, List<String> names) {
    if (names.size() > MAX_NAMES) {
      throw Requests.invalid(field + " has " + names.size() + " names, at most " + MAX_NAMES);
    }
    for (String n : names) {
      if (n.isEmpty() || n.length() > MAX_NAME_LENGTH) {
        throw Requests.invalid(
            field + " names must be 1.." + MAX_NAME_LENGTH + " characters, got " + n.length());
      }
    }
    return names;
  }
}
