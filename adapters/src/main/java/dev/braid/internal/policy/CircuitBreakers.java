package dev.braid.internal.policy;

import dev.braid.api.CircuitBreakerPolicy;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One circuit breaker per function reference (DESIGN §3.9), shared by every call of its owner (a
 * {@code Braid}, or a workflow engine across its runs): the health of a function is a fact about
 * the function, not about one call. Thread-safe.
 */
public final class CircuitBreakers {
  private final Map<String, Breaker> byFunction = new ConcurrentHashMap<>();
  // only the reading is needed: an open circuit is checked when a call asks, no timer fires
  private final LongSupplier nanoTime;

  /**
   * @param nanoTime a monotonic clock reading, e.g. {@code clock::nanoTime}
   */
  public CircuitBreakers(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** The breaker of {@code function}; the first caller's settings make it. */
  public Breaker forFunction(String function, CircuitBreakerPolicy settings) {
    return byFunction.computeIfAbsent(function, f -> new Breaker(f, settings));
  }

  /** Closed, open, or half open with one probe call in flight. */
  public final class Breaker {
    private final String function;
    private final int threshold;
    private final long resetNanos;
    // guarded by this
    private int consecutiveFailures;
    private long openedAt;
    private boolean open;
    private boolean probing;

    Breaker(String function, CircuitBreakerPolicy settings) {
      this.function = function;
      this.threshold = settings.failureThreshold();
      this.resetNanos = settings.resetTimeout().toNanos();
    }

    /**
     * Whether a call may go ahead. While open, none may, until the reset timeout has passed: then
     * exactly one (the probe) may, and its outcome closes or reopens the circuit.
     */
    public synchronized boolean tryAcquire() {
      if (!open) {
        return true;
      }
      if (probing || nanoTime.getAsLong() - openedAt < resetNanos) {
        return false;
      }
      probing = true;
      return true;
    }

    public synchronized void onSuccess() {
      open = false;
      probing = false;
      consecutiveFailures = 0;
    }

    public synchronized void onFailure() {
      consecutiveFailures++;
      if (probing || consecutiveFailures >= threshold) {
        open = true;
        openedAt = nanoTime.getAsLong();
      }
      probing = false;
    }

    /** A cancelled call says nothing about the function's health; it frees the probe slot. */
    public synchronized void onCancelled() {
      probing = false;
    }

    /** The failure a call refused by {@link #tryAcquire} ends with. */
    public synchronized Failure openFailure() {
      long left = Math.max(0, resetNanos - (nanoTime.getAsLong() - openedAt));
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
