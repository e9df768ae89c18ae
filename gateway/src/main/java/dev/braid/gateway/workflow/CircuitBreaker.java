package dev.braid.gateway.workflow;

import java.time.Duration;

/**
 * A circuit breaker for the function a step calls (DESIGN §3.9): after {@code failureThreshold}
 * consecutive failures it opens, and calls fail fast with {@code UNAVAILABLE} ("circuit open")
 * until {@code resetTimeout} has passed; then one probe call decides whether it closes again.
 *
 * @param at the {@code circuit_breaker} key
 * @param failureThreshold default 5
 * @param resetTimeout default 30s
 */
public record CircuitBreaker(
    Location at, Located<Integer> failureThreshold, Located<Duration> resetTimeout) {
  public static final int DEFAULT_FAILURE_THRESHOLD = 5;
  public static final Duration DEFAULT_RESET_TIMEOUT = Duration.ofSeconds(30);
}
