package dev.braid.api;

import java.time.Duration;
import java.util.Objects;

/**
 * A circuit breaker for one function (DESIGN §3.9): after {@code failureThreshold} consecutive
 * failures it opens, and calls fail fast with {@code UNAVAILABLE} ("circuit open") until {@code
 * resetTimeout} has passed; then one probe call decides whether it closes again. Breakers are kept
 * per function reference and shared by every call made through one {@link Braid} (the health of a
 * function is a fact about the function, not about one call). Immutable; build with {@link
 * #builder()}.
 *
 * @param failureThreshold consecutive failures that open the circuit, at least 1
 * @param resetTimeout how long the circuit stays open before a probe
 */
public record CircuitBreakerPolicy(int failureThreshold, Duration resetTimeout) {
  public static final int DEFAULT_FAILURE_THRESHOLD = 5;
  public static final Duration DEFAULT_RESET_TIMEOUT = Duration.ofSeconds(30);

  public CircuitBreakerPolicy {
    Objects.requireNonNull(resetTimeout, "resetTimeout");
    if (failureThreshold < 1) {
      throw new IllegalArgumentException("failureThreshold < 1: " + failureThreshold);
    }
    if (resetTimeout.isNegative()) {
      throw new IllegalArgumentException("resetTimeout < 0: " + resetTimeout);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link CircuitBreakerPolicy}, starting from the defaults. Not thread-safe. */
  public static final class Builder {
    private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    private Duration resetTimeout = DEFAULT_RESET_TIMEOUT;

    private Builder() {}

    public Builder failureThreshold(int n) {
      this.failureThreshold = n;
      return this;
    }

    public Builder resetTimeout(Duration d) {
      this.resetTimeout = d;
      return this;
    }

    public CircuitBreakerPolicy build() {
      return new CircuitBreakerPolicy(failureThreshold, resetTimeout);
    }
  }
}
