package dev.braid.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.braid.model.CancelReason;
import dev.braid.model.Scope;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The combinators over plain futures: who is cancelled with which reason, and that the combined
 * future waits for every started task. Tasks here settle only when the test (or their scope's
 * cancel) says so.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CallsTest {
  private static final long WAIT = 10;

  /** A task that settles when told, or fails when its scope is cancelled, after a gate. */
  private static final class Pending {
    final CompletableFuture<String> future = new CompletableFuture<>();
    final CompletableFuture<Void> cleanupGate = new CompletableFuture<>();
    volatile CancelReason cancelledWith;
    volatile Scope scope;

    Calls.Task<String> task() {
      return s -> {
        scope = s;
        s.onCancel(
            r -> {
              cancelledWith = r;
              // the loser takes a while to clean up: it settles only when the gate opens
              cleanupGate.thenRun(
                  () -> future.completeExceptionally(new IllegalStateException(r.wireName())));
            });
        return future;
      };
    }
  }

  @Test
  void raceTakesTheFirstAndCancelsAndAwaitsTheLoser() throws Exception {
    Pending fast = new Pending();
    Pending slow = new Pending();
    CompletableFuture<String> r = Calls.race(Scope.root(), fast.task(), slow.task());

    fast.future.complete("fast");

    awaitTrue(() -> slow.cancelledWith != null);
    assertThat(slow.cancelledWith).isEqualTo(CancelReason.RACE_LOST);
    assertThat(r).as("the loser has not settled yet").isNotDone();
    slow.cleanupGate.complete(null);
    assertThat(r.get(WAIT, TimeUnit.SECONDS)).isEqualTo("fast");
    assertThat(fast.cancelledWith).isNull();
  }

  @Test
  void allFailsOnTheFirstFailureAndCancelsSiblingsWithSiblingFailed() throws Exception {
    Pending a = new Pending();
    Pending b = new Pending();
    Pending c = new Pending();
    CompletableFuture<List<String>> r = Calls.all(Scope.root(), a.task(), b.task(), c.task());

    a.future.complete("a");
    b.future.completeExceptionally(new IllegalArgumentException("b broke"));

    awaitTrue(() -> c.cancelledWith != null);
    assertThat(c.cancelledWith).isEqualTo(CancelReason.SIBLING_FAILED);
    assertThat(a.cancelledWith).isNull();
    assertThat(r).isNotDone();
    c.cleanupGate.complete(null);
    assertThatThrownBy(() -> r.get(WAIT, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseMessage("b broke");
  }

  @Test
  void allGivesEveryValueInOrder() throws Exception {
    Pending a = new Pending();
    Pending b = new Pending();
    CompletableFuture<List<String>> r = Calls.all(Scope.root(), a.task(), b.task());
    b.future.complete("b");
    a.future.complete("a");
    assertThat(r.get(WAIT, TimeUnit.SECONDS)).containsExactly("a", "b");
  }

  @Test
  void anySkipsFailuresAndTakesTheFirstSuccess() throws Exception {
    Pending a = new Pending();
    Pending b = new Pending();
    Pending c = new Pending();
    CompletableFuture<String> r = Calls.any(Scope.root(), a.task(), b.task(), c.task());
    a.future.completeExceptionally(new IllegalStateException("a broke"));
    assertThat(r).isNotDone();
    b.future.complete("b");
    awaitTrue(() -> c.cancelledWith != null);
    assertThat(c.cancelledWith).isEqualTo(CancelReason.RACE_LOST);
    c.cleanupGate.complete(null);
    assertThat(r.get(WAIT, TimeUnit.SECONDS)).isEqualTo("b");
  }

  @Test
  void anyFailsWhenEveryTaskFailed() {
    CompletableFuture<String> r =
        Calls.any(
            Scope.root(),
            s -> CompletableFuture.failedFuture(new IllegalStateException("one")),
            s -> CompletableFuture.failedFuture(new IllegalStateException("two")));
    assertThatThrownBy(() -> r.get(WAIT, TimeUnit.SECONDS))
        .hasRootCauseMessage("one")
        .cause()
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
  }

  @Test
  void settledReportsEveryOutcomeAndCancelsNothing() throws Exception {
    CompletableFuture<List<Calls.Outcome<String>>> r =
        Calls.settled(
            Scope.root(),
            List.<Calls.Task<String>>of(
                s -> CompletableFuture.completedFuture("ok"),
                s -> CompletableFuture.failedFuture(new IllegalStateException("no"))));
    List<Calls.Outcome<String>> o = r.get(WAIT, TimeUnit.SECONDS);
    assertThat(o.get(0).ok()).isTrue();
    assertThat(o.get(0).value()).isEqualTo("ok");
    assertThat(o.get(1).ok()).isFalse();
    assertThat(o.get(1).failure().message()).isEqualTo("no");
  }

  @Test
  void mapRunsAtMostConcurrencyAtOnceAndKeepsItemOrder() throws Exception {
    Map<Integer, CompletableFuture<Integer>> running = new ConcurrentHashMap<>();
    AtomicInteger most = new AtomicInteger();
    CompletableFuture<List<Integer>> r =
        Calls.map(
            Scope.root(),
            List.of(1, 2, 3, 4, 5),
            2,
            (item, s) -> {
              CompletableFuture<Integer> f = new CompletableFuture<>();
              running.put(item, f);
              most.accumulateAndGet(running.size(), Math::max);
              return f;
            });
    for (int item = 1; item <= 5; item++) {
      int i = item;
      awaitTrue(() -> running.containsKey(i));
      assertThat(running.size()).isLessThanOrEqualTo(2);
      running.remove(i).complete(i * 10);
    }
    assertThat(r.get(WAIT, TimeUnit.SECONDS)).containsExactly(10, 20, 30, 40, 50);
    assertThat(most.get()).isLessThanOrEqualTo(2);
  }

  @Test
  void aRaceOfNothingAndABadConcurrencyAreRefused() {
    assertThatThrownBy(() -> Calls.race(Scope.root(), List.<Calls.Task<String>>of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                Calls.map(
                    Scope.root(), List.of(1), 0, (i, s) -> CompletableFuture.completedFuture(i)))
        .hasMessage("concurrency < 1: 0");
  }

  private static void awaitTrue(Callable<Boolean> condition) {
    await().atMost(Duration.ofSeconds(WAIT)).until(condition);
  }
}
