package dev.braid.internal.policy;

import dev.braid.api.RetryPolicy;
import dev.braid.internal.policy.CircuitBreakers.Breaker;
import dev.braid.model.CancelReason;
import dev.braid.model.Clock;
import dev.braid.model.Deadline;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Failures;
import dev.braid.model.Scope;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Attempts of one call under a {@link RetryPolicy} and an optional circuit breaker (DESIGN §3.9),
 * the waits between them on a {@link Clock}. The rules ({@link #retryable}, {@link #backoff}) are
 * the workflow's {@code retry} semantics; the engine and the Java API share them.
 *
 * <p>Cancellation of the scope is never retried and ends any wait at once; no attempt starts if the
 * wait before it would reach the scope's deadline (the real failure is reported instead of the
 * timeout the wait would have produced).
 */
public final class Retrier<T> {
  /** Starts attempt {@code attempt} (from 1). */
  @FunctionalInterface
  public interface Attempt<T> {
    CompletableFuture<T> start(int attempt);
  }

  /** What happened, for events and logs; called on the retrier's executor. */
  public interface Listener {
    Listener NONE = new Listener() {};

    default void attemptStarted(int attempt) {}

    /** {@code failure} null on success. */
    default void attemptFinished(int attempt, Failure failure, boolean cancelled) {}

    default void retryScheduled(int attempt, Failure failure, Duration wait) {}
  }

  /**
   * Turns the wait the policy chose before an attempt into the wait to use; the engine keeps it as
   * an absolute instant so that a resumed run waits only what is left. Called on the executor.
   */
  @FunctionalInterface
  public interface Waits {
    Waits AS_CHOSEN = (attempt, chosen) -> chosen;

    /**
     * @param attempt the attempt the wait comes before
     * @param chosen the wait {@link #backoff} chose
     */
    Duration before(int attempt, Duration chosen);
  }

  private final RetryPolicy policy;
  private final Breaker breaker;
  private final Scope scope;
  private final Clock clock;
  private final Random random;
  private final Executor executor;
  private final Listener listener;
  private final Attempt<T> attempt;
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private Waits waits = Waits.AS_CHOSEN;

  /**
   * @param policy null: one attempt
   * @param breaker null: none
   * @param scope the call's scope: its cancellation stops the retries, its deadline bounds waits
   * @param executor where attempt outcomes are handled and the next attempt is started
   */
  public Retrier(
      RetryPolicy policy,
      Breaker breaker,
      Scope scope,
      Clock clock,
      Random random,
      Executor executor,
      Listener listener,
      Attempt<T> attempt) {
    this.policy = policy;
    this.breaker = breaker;
    this.scope = scope;
    this.clock = clock;
    this.random = random;
    this.executor = executor;
    this.listener = listener;
    this.attempt = attempt;
  }

  /** How waits between attempts are chosen ({@link Waits#AS_CHOSEN} by default); before start. */
  public Retrier<T> waits(Waits w) {
    this.waits = w;
    return this;
  }

  /** Starts attempt 1; the future settles with the last attempt's outcome. Call once. */
  public CompletableFuture<T> start() {
    return start(1, Duration.ZERO);
  }

  /**
   * Starts at attempt {@code first} after {@code firstWait}: a call resumed by a new life of its
   * run continues its attempt numbers and waits only what was left of its backoff. Attempt {@code
   * first} is made even if the policy's limit is already reached (the previous life's last attempt
   * never reported); the limit applies to retries after it. Call once.
   */
  public CompletableFuture<T> start(int first, Duration firstWait) {
    if (first < 1) {
      throw new IllegalArgumentException("first < 1: " + first);
    }
    if (firstWait.isNegative() || firstWait.isZero()) {
      start(first);
    } else {
      after(firstWait, () -> start(first));
    }
    return result;
  }

  private void start(int n) {
    if (scope.isCancelled()) {
      result.completeExceptionally(Failures.toException(stopped(), false));
      return;
    }
    listener.attemptStarted(n);
    if (breaker != null && !breaker.tryAcquire()) {
      Failure open = breaker.openFailure();
      listener.attemptFinished(n, open, false);
      afterFailure(n, open);
      return;
    }
    CompletableFuture<T> f;
    try {
      f = attempt.start(n);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenCompleteAsync((v, e) -> settled(n, v, e), executor);
  }

  private void settled(int n, T value, Throwable error) {
    if (error == null) {
      if (breaker != null) {
        breaker.onSuccess();
      }
      listener.attemptFinished(n, null, false);
      result.complete(value);
      return;
    }
    Failure f = Failures.fromThrowable(error);
    boolean cancelled = f.code() == FailureCode.CANCELLED || scope.isCancelled();
    if (breaker != null) {
      if (cancelled) {
        breaker.onCancelled();
      } else {
        breaker.onFailure();
      }
    }
    listener.attemptFinished(n, f, cancelled);
    afterFailure(n, f);
  }

  private void afterFailure(int n, Failure f) {
    if (scope.isCancelled()) {
      // the attempt's own failure says why (deadline, cancel) better than the scope's reason
      result.completeExceptionally(Failures.toException(f, false));
      return;
    }
    if (policy == null || n >= policy.maxAttempts() || !retryable(policy, f)) {
      result.completeExceptionally(Failures.toException(f, false));
      return;
    }
    Duration wait = waits.before(n + 1, backoff(policy, n, random));
    Deadline deadline = scope.deadline();
    if (deadline != null && wait.toNanos() >= deadline.remainingNanos()) {
      result.completeExceptionally(Failures.toException(f, false));
      return;
    }
    listener.retryScheduled(n, f, wait);
    after(wait, () -> start(n + 1));
  }

  /**
   * Runs {@code next} on the executor after {@code wait}, or at once when the scope is cancelled.
   */
  private void after(Duration wait, Runnable next) {
    CompletableFuture<Void> waited = new CompletableFuture<>();
    Clock.Timer timer = clock.schedule(wait, () -> waited.complete(null));
    Runnable unhook =
        scope.onCancel(
            r -> {
              timer.cancel();
              waited.complete(null);
            });
    waited.whenCompleteAsync(
        (v, e) -> {
          unhook.run();
          next.run();
        },
        executor);
  }

  private Failure stopped() {
    CancelReason r = scope.rootReason();
    return Failure.cancelled(r != null ? r : CancelReason.CANCELLED, "call cancelled");
  }

  /**
   * Never a cancellation, nor bad input ({@code INVALID_ARGUMENT}: the same arguments fail the same
   * way). Otherwise {@code nonRetryable} excludes, and a non-empty {@code retryOn} is the only list
   * that qualifies; each matches a failure's {@code type} or its {@code code}.
   */
  public static boolean retryable(RetryPolicy p, Failure f) {
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

  private static boolean matches(List<String> names, Failure f) {
    for (String n : names) {
      if (n.equals(f.type()) || n.equals(f.code().name())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The wait after attempt {@code attempt} (from 1) failed: {@code initialInterval *
   * backoff^(attempt-1)}, at most {@code maxInterval}; with jitter, uniformly random between zero
   * and that.
   */
  public static Duration backoff(RetryPolicy p, int attempt, Random random) {
    double nanos = p.initialInterval().toNanos() * Math.pow(p.backoff(), attempt - 1.0);
    long capped = (long) Math.min(nanos, p.maxInterval().toNanos());
    if (p.jitter()) {
      capped = (long) (random.nextDouble() * capped);
    }
    return Duration.ofNanos(capped);
  }
}
