package dev.braid.gateway.workflow;

import java.time.Duration;
import java.util.List;

/**
 * How a call is retried (DESIGN §3.9), with every setting resolved: a step's {@code retry} keys
 * override those of {@code defaults.retry} one by one, and unset keys take the built-in defaults.
 * Each setting keeps where it was written; a built-in default points at the {@code retry} key that
 * asked for retrying.
 *
 * @param at the {@code retry} key of the step, or of {@code defaults}
 * @param maxAttempts total attempts, the first included (1 = no retry); default 3
 * @param initialInterval the wait before the second attempt; default 100ms
 * @param backoff the factor each wait grows by, at least 1; default 2
 * @param maxInterval the longest wait; default 10s
 * @param jitter default {@code full}
 * @param retryOn if not empty, only failures whose {@code type} or {@code code} is listed are
 *     retried
 * @param nonRetryable failures whose {@code type} or {@code code} is listed are never retried
 */
public record RetryPolicy(
    Location at,
    Located<Integer> maxAttempts,
    Located<Duration> initialInterval,
    Located<Double> backoff,
    Located<Duration> maxInterval,
    Located<Jitter> jitter,
    List<Located<String>> retryOn,
    List<Located<String>> nonRetryable) {
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final Duration DEFAULT_INITIAL_INTERVAL = Duration.ofMillis(100);
  public static final double DEFAULT_BACKOFF = 2.0;
  public static final Duration DEFAULT_MAX_INTERVAL = Duration.ofSeconds(10);

  public RetryPolicy {
    retryOn = List.copyOf(retryOn);
    nonRetryable = List.copyOf(nonRetryable);
  }
}
