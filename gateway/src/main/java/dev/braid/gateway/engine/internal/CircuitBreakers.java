package dev.braid.gateway.engine.internal;

import dev.braid.gateway.workflow.CircuitBreaker;
import dev.braid.model.Clock;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One circuit breaker per function reference (DESIGN §3.9), shared by every run of an engine: the
 * health of a function is a fact about the function, not about one run. Thread-safe.
 */
public final class CircuitBreakers {
  private final Map<String, Breaker> byFunction = new ConcurrentHashMap<>();
  private final Clock clock;

  public CircuitBreakers(Clock clock) {
    this.clock = clock;
  }

  Breaker forFunction(String function, CircuitBreaker settings) {
    return byFunction.computeIfAbsent(function, f -> new Breaker(f, settings));
  }

  /** Closed, open, or half open with one probe call in flight. */
  final class Breaker {
    private final String function;
    private final int threshold;
    private final long resetNanos;
    // guarded by this
    private int consecutiveFailures;
    private long openedAt;
    private boolean open;
    private boolean probing;

    Breaker(String function, CircuitBreaker settings) {
      this.function = function;
      this.threshold = settings.failureThreshold().value();
      this.resetNanos = settings.resetTimeout().value().toNanos();
    }

    /**
     * Whether a call may go ahead. While open, none may, until the reset timeout has passed: then
     * exactly one (the probe) may, and its outcome closes or reopens the circuit.
     */
    synchronized boolean tryAcquire() {
      if (!open) {
        return true;
      }
      if (probing || clock.nanoTime() - openedAt < resetNanos) {
        return false;
      }
      probing = true;
      return true;
    }

    synchronized void onSuccess() {
      open = false;
      probing = false;
      consecutiveFailures = 0;
    }

    synchronized void onFailure() {
      consecutiveFailures++;
      if (probing || consecutiveFailures >= threshold) {
        open = true;
        openedAt = clock.nanoTime();
      }
      probing = false;
    }

    /** A cancelled call says nothing about the function's health; it frees the probe slot. */
    synchronized void onCancelled() {
      probing = false;
    }

    synchronized Failure openFailure() {
      long left = Math.max(0, resetNanos - (clock.nanoTime() - openedAt));
      String next =
          probing
              ? "a probe call is in flight"
              : "the next call in " + Duration.ofNanos(left).toMillis() + "ms is a probe";
      return Failure.of(
          FailureCode.UNAVAILABLE,
          "CircuitOpen",
          "circuit open: "
              + function
              + " failed "
              + consecutiveFailures
              + " times in a row; "
              + next);
    }
  }
}
