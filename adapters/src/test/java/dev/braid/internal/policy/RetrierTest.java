package dev.braid.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.api.CircuitBreakerPolicy;
import dev.braid.api.RetryPolicy;
import dev.braid.model.BraidCancellationException;
import dev.braid.model.CancelReason;
import dev.braid.model.Deadline;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Failures;
import dev.braid.model.ManualClock;
import dev.braid.model.RemoteException;
import dev.braid.model.Scope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The retry loop on a manual clock: no sleeping, every wait is seen. */
class RetrierTest {
  private final ManualClock clock = new ManualClock();
  private final List<Integer> attempts = new ArrayList<>();
  private final List<String> events = new ArrayList<>();

  private static final Failure BOOM = Failure.of(FailureCode.APPLICATION, "ValueError", "boom");

  private static RetryPolicy noJitter(int attempts) {
    return RetryPolicy.builder()
        .maxAttempts(attempts)
        .initialInterval(Duration.ofMillis(100))
        .maxInterval(Duration.ofMillis(250))
        .jitter(false)
        .build();
  }

  private Retrier<String> retrier(
      RetryPolicy p, CircuitBreakers.Breaker breaker, Scope scope, int succeedOn) {
    return new Retrier<>(
        p,
        breaker,
        scope,
        clock,
        new Random(1),
        Runnable::run,
        new Retrier.Listener() {
          @Override
          public void attemptStarted(int attempt) {
            events.add("start " + attempt);
          }

          @Override
          public void retryScheduled(int attempt, Failure failure, Duration wait) {
            events.add("retry after " + attempt + " in " + wait.toMillis() + "ms");
          }
        },
        n -> {
          attempts.add(n);
          return n >= succeedOn
              ? CompletableFuture.completedFuture("ok " + n)
              : CompletableFuture.failedFuture(Failures.toException(BOOM, false));
        });
  }

  @Test
  void retriesWithGrowingCappedWaitsOnTheClockAndNumbersEachAttempt() throws Exception {
    CompletableFuture<String> r = retrier(noJitter(4), null, Scope.root(), 4).start();

    assertThat(attempts).containsExactly(1);
    assertThat(clock.pendingDelays()).containsExactly(Duration.ofMillis(100));
    clock.advance(Duration.ofMillis(100));
    assertThat(attempts).containsExactly(1, 2);
    clock.advance(Duration.ofMillis(199));
    assertThat(attempts).containsExactly(1, 2);
    clock.advance(Duration.ofMillis(1));
    clock.advance(Duration.ofMillis(250));

    assertThat(r.get()).isEqualTo("ok 4");
    assertThat(events)
        .containsExactly(
            "start 1",
            "retry after 1 in 100ms",
            "start 2",
            "retry after 2 in 200ms",
            "start 3",
            "retry after 3 in 250ms",
            "start 4");
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheLastFailure() {
    CompletableFuture<String> r = retrier(noJitter(2), null, Scope.root(), 99).start();
    clock.advance(Duration.ofSeconds(1));
    assertThat(attempts).containsExactly(1, 2);
    assertThat(r).isCompletedExceptionally();
    assertThat(Failures.fromThrowable(catchCause(r)).type()).isEqualTo("ValueError");
  }

  @Test
  void nonRetryableAndInvalidArgumentAreNotRetried() {
    RetryPolicy p = RetryPolicy.builder().nonRetryable(List.of("ValueError")).build();
    assertThat(Retrier.retryable(p, BOOM)).isFalse();
    Failure bad = Failure.of(FailureCode.INVALID_ARGUMENT, "TypeError", "bad");
    assertThat(Retrier.retryable(RetryPolicy.attempts(3), bad)).isFalse();
    assertThat(Retrier.retryable(RetryPolicy.attempts(3), BOOM)).isTrue();
    RetryPolicy only = RetryPolicy.builder().retryOn(List.of("UNAVAILABLE")).build();
    assertThat(Retrier.retryable(only, BOOM)).isFalse();
    assertThat(Retrier.retryable(only, Failure.of(FailureCode.UNAVAILABLE, "X", "down"))).isTrue();
    assertThat(
            Retrier.retryable(
                RetryPolicy.attempts(3), Failure.cancelled(CancelReason.CANCELLED, "stop")))
        .isFalse();
  }

  @Test
  void fullJitterStaysBetweenZeroAndTheComputedWait() {
    RetryPolicy p = RetryPolicy.builder().initialInterval(Duration.ofMillis(100)).build();
    Random random = new Random(7);
    for (int i = 0; i < 100; i++) {
      Duration d = Retrier.backoff(p, 2, random);
      assertThat(d).isBetween(Duration.ZERO, Duration.ofMillis(200));
    }
  }

  @Test
  void cancellingTheScopeDuringAWaitEndsTheRetriesAtOnce() {
    Scope scope = Scope.root();
    CompletableFuture<String> r = retrier(noJitter(5), null, scope, 99).start();
    assertThat(clock.pending()).isEqualTo(1);

    scope.cancel(CancelReason.RACE_LOST);

    assertThat(r).isCompletedExceptionally();
    assertThat(catchCause(r)).isInstanceOf(BraidCancellationException.class);
    assertThat(attempts).containsExactly(1);
  }

  @Test
  void noAttemptStartsWhenTheWaitWouldReachTheDeadline() {
    Scope scope = Scope.root(Deadline.after(Duration.ofMillis(50), clock));
    CompletableFuture<String> r = retrier(noJitter(5), null, scope, 99).start();
    assertThat(r).isCompletedExceptionally();
    assertThat(catchCause(r)).isInstanceOf(RemoteException.class);
    // only the scope's own deadline timer waits: no retry wait was scheduled
    assertThat(clock.pendingDelays()).containsExactly(Duration.ofMillis(50));
  }

  @Test
  void anOpenCircuitFailsFastAndCountsAsAnAttempt() {
    CircuitBreakers breakers = new CircuitBreakers(clock::nanoTime);
    CircuitBreakers.Breaker b =
        breakers.forFunction("python:m:f", new CircuitBreakerPolicy(1, Duration.ofSeconds(30)));
    CompletableFuture<String> r = retrier(noJitter(2), b, Scope.root(), 99).start();
    clock.advance(Duration.ofMillis(100));
    assertThat(attempts).containsExactly(1);
    assertThat(Failures.fromThrowable(catchCause(r)).type()).isEqualTo("CircuitOpen");
    clock.advance(Duration.ofSeconds(30));
    assertThat(b.tryAcquire()).as("the probe after the reset timeout").isTrue();
    assertThat(b.tryAcquire()).as("only one probe").isFalse();
  }

  private static Throwable catchCause(CompletableFuture<?> f) {
    try {
      f.get();
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      return e;
    }
  }

  @Test
  void aResumedRetrierWaitsWhatIsLeftThenContinuesTheAttemptNumbers() throws Exception {
    CompletableFuture<String> r =
        retrier(noJitter(4), null, Scope.root(), 4).start(3, Duration.ofMillis(40));

    assertThat(attempts).isEmpty();
    assertThat(clock.pendingDelays()).containsExactly(Duration.ofMillis(40));
    clock.advance(Duration.ofMillis(40));
    assertThat(attempts).containsExactly(3);
    clock.advance(Duration.ofMillis(250));
    assertThat(attempts).containsExactly(3, 4);
    assertThat(r.get()).isEqualTo("ok 4");
  }

  @Test
  void theFirstResumedAttemptIsMadeEvenPastTheLimitButNotRetried() {
    CompletableFuture<String> r =
        retrier(noJitter(2), null, Scope.root(), 99).start(3, Duration.ZERO);

    assertThat(attempts).containsExactly(3);
    assertThat(r).isCompletedExceptionally();
    assertThat(clock.pendingDelays()).isEmpty();
  }

  @Test
  void theWaitsHookDecidesEachWaitBeforeTheNextAttempt() throws Exception {
    List<String> asked = new ArrayList<>();
    CompletableFuture<String> r =
        retrier(noJitter(3), null, Scope.root(), 3)
            .waits(
                (next, chosen) -> {
                  asked.add(next + ":" + chosen.toMillis());
                  return Duration.ofMillis(7);
                })
            .start();

    clock.advance(Duration.ofMillis(7));
    clock.advance(Duration.ofMillis(7));
    assertThat(r.get()).isEqualTo("ok 3");
    assertThat(asked).containsExactly("2:100", "3:200");
    assertThat(events).contains("retry after 1 in 7ms", "retry after 2 in 7ms");
  }
}
