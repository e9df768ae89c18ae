package dev.braid.gateway.engine.internal;

import dev.braid.gateway.workflow.Jitter;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.RetryPolicy;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/** Which failures a retry policy retries, and how long it waits before each attempt. */
final class RetryRules {
  private RetryRules() {}

  /**
   * Never a cancellation, nor bad input ({@code INVALID_ARGUMENT}: the same arguments fail the same
   * way). Otherwise {@code non_retryable} excludes, and a non-empty {@code retry_on} is the only
   * list that qualifies; each matches a failure's {@code type} or its {@code code}.
   */
  static boolean retryable(RetryPolicy p, Failure f) {
    if (f.code() == FailureCode.CANCELLED) {
      return false;
    }
    if (matches(p.nonRetryable(), f)) {
      return false;
    }
    if (!p.retryOn().isEmpty()) {
      return matches(p.retryOn(), f);
    }
    return f.code() != FailureCode.INVALID_ARGUMENT;
  }

  private static boolean matches(List<Located<String>> names, Failure f) {
    for (Located<String> n : names) {
      if (n.value().equals(f.type()) || n.value().equals(f.code().name())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The wait after attempt {@code attempt} (from 1) failed: {@code initial_interval *
   * backoff^(attempt-1)}, at most {@code max_interval}; with full jitter, uniformly random between
   * zero and that.
   */
  static Duration wait(RetryPolicy p, int attempt, Random random) {
    double nanos =
        p.initialInterval().value().toNanos() * Math.pow(p.backoff().value(), attempt - 1.0);
    long capped = (long) Math.min(nanos, p.maxInterval().value().toNanos());
    if (p.jitter().value() == Jitter.FULL) {
      capped = (long) (random.nextDouble() * capped);
    }
    return Duration.ofNanos(capped);
  }
}
