package dev.braid.api;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a failed call is tried again (DESIGN §3.9), with the semantics of a workflow's {@code retry}
 * key (docs/workflows.md). Immutable and validated; build with {@link #builder()}.
 *
 * <p>Attempt {@code n} (from 1) that failed is followed, after a wait of {@code initialInterval *
 * backoff^(n-1)} capped at {@code maxInterval} (with full jitter: uniformly random between zero and
 * that), by attempt {@code n+1}, until {@code maxAttempts} attempts were made. A cancellation is
 * never retried, nor bad input ({@code INVALID_ARGUMENT}) unless {@code retryOn} names it. {@code
 * nonRetryable} excludes; a non-empty {@code retryOn} is the only list that qualifies; each entry
 * matches a failure's {@code type} (e.g. {@code ValueError}) or its code (e.g. {@code
 * UNAVAILABLE}).
 *
 * <p>Only what makes no sense is refused here (fewer than one attempt, a negative wait, a backoff
 * below 1); callers that take a policy from outside (the gRPC {@code Invoke}, {@code braid call})
 * bound it further.
 *
 * @param maxAttempts total attempts, the first included (1 = no retry)
 * @param initialInterval the wait before the second attempt
 * @param backoff the factor each wait grows by, at least 1
 * @param maxInterval the longest wait (a shorter {@code initialInterval} is capped by it)
 * @param jitter whether each wait is drawn uniformly between zero and its computed length
 * @param retryOn if not empty, only failures whose type or code is listed are retried
 * @param nonRetryable failures whose type or code is listed are never retried
 */
public record RetryPolicy(
    int maxAttempts,
    Duration initialInterval,
    double backoff,
    Duration maxInterval,
    boolean jitter,
    List<String> retryOn,
    List<String> nonRetryable) {
  /** The defaults of a workflow's {@code retry} key. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  public static final Duration DEFAULT_INITIAL_INTERVAL = Duration.ofMillis(100);
  public static final double DEFAULT_BACKOFF = 2.0;
  public static final Duration DEFAULT_MAX_INTERVAL = Duration.ofSeconds(10);

  public RetryPolicy {
    Objects.requireNonNull(initialInterval, "initialInterval");
    Objects.requireNonNull(maxInterval, "maxInterval");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts < 1: " + maxAttempts);
    }
    requireWait("initialInterval", initialInterval);
    requireWait("maxInterval", maxInterval);
    if (!(backoff >= 1.0) || Double.isInfinite(backoff)) {
      throw new IllegalArgumentException("backoff must be finite and >= 1: " + backoff);
    }
    retryOn = names("retryOn", retryOn);
    nonRetryable = names("nonRetryable", nonRetryable);
  }

  /** A policy with the workflow defaults and {@code maxAttempts} attempts. */
  public static RetryPolicy attempts(int maxAttempts) {
    return builder().maxAttempts(maxAttempts).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  private static void requireWait(String name, Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " < 0: " + d);
    }
  }

  private static List<String> names(String what, List<String> names) {
    List<String> copy = List.copyOf(Objects.requireNonNull(names, what));
    for (String n : copy) {
      if (n.isEmpty()) {
        throw new IllegalArgumentException(what + " holds an empty name");
      }
    }
    return copy;
  }

  /** Builder for {@link RetryPolicy}, starting from the workflow defaults. Not thread-safe. */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialInterval = DEFAULT_INITIAL_INTERVAL;
    private double backoff = DEFAULT_BACKOFF;
    private Duration maxInterval = DEFAULT_MAX_INTERVAL;
    private boolean jitter = true;
    private List<String> retryOn = List.of();
    private List<String> nonRetryable = List.of();

    private Builder() {}

    public Builder maxAttempts(int n) {
      this.maxAttempts = n;
      return this;
    }

    public Builder initialInterval(Duration d) {
      this.initialInterval = d;
      return this;
    }

    public Builder backoff(double factor) {
      this.backoff = factor;
      return this;
    }

    public Builder maxInterval(Duration d) {
      this.maxInterval = d;
      return this;
    }

    public Builder jitter(boolean on) {
      this.jitter = on;
      return this;
    }

    public Builder retryOn(List<String> typesOrCodes) {
      this.retryOn = typesOrCodes;
      return this;
    }

    public Builder nonRetryable(List<String> typesOrCodes) {
      this.nonRetryable = typesOrCodes;
      return this;
    }

    public RetryPolicy build() {
      return new RetryPolicy(
          maxAttempts, initialInterval, backoff, maxInterval, jitter, retryOn, nonRetryable);
    }
  }
}
