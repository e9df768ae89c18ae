package dev.braid.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.model.CancelReason;
import dev.braid.model.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Join#stopWhen}: the join is decided at the child the stop names, no more children start,
 * and the running ones are cancelled with the stop's reason. Children are futures the test
 * completes; the executor runs tasks at once, one at a time, on the test's thread.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class JoinStopTest {
  private final Executor direct = Runnable::run;
  private final List<CompletableFuture<String>> children = new ArrayList<>();
  private final List<Scope> scopes = new ArrayList<>();

  private Join<String> join(Join.Mode mode, int concurrency, int size) {
    return new Join<>(
        Scope.root(),
        mode,
        concurrency,
        size,
        (i, s) -> {
          CompletableFuture<String> f = new CompletableFuture<>();
          children.add(f);
          scopes.add(s);
          return f;
        },
        direct,
        v -> true);
  }

  @Test
  void aStopDecidesTheJoinAndCancelsTheRunningChildrenWithItsReason() throws Exception {
    List<Integer> asked = new ArrayList<>();
    int[] successes = {0};
    CompletableFuture<Join.Outcome<String>> done =
        join(Join.Mode.SETTLED, 3, 5)
            .stopWhen(
                (i, v, e) -> {
                  asked.add(i);
                  return e == null && ++successes[0] == 2;
                },
                CancelReason.EARLY_EXIT)
            .start();
    assertThat(children).hasSize(3);

    children.get(1).completeExceptionally(new IllegalStateException("down"));
    assertThat(children).as("a failure frees a slot: the fourth starts").hasSize(4);
    children.get(0).complete("a");
    assertThat(children).as("and so does a success: the fifth starts").hasSize(5);
    children.get(3).complete("d");

    assertThat(asked).containsExactly(1, 0, 3);
    assertThat(scopes.get(2).reason()).isEqualTo(CancelReason.EARLY_EXIT);
    assertThat(scopes.get(4).reason()).isEqualTo(CancelReason.EARLY_EXIT);
    assertThat(done).as("the cancelled children are awaited").isNotDone();
    children.get(2).cancel(false);
    children.get(4).cancel(false);
    Join.Outcome<String> o = done.get(1, TimeUnit.SECONDS);
    assertThat(o.winner()).isEqualTo(3);
    assertThat(o.started()).isEqualTo(5);
    assertThat(asked).as("asked no more once decided").containsExactly(1, 0, 3);
    assertThat(o.values().get(0)).isEqualTo("a");
  }

  @Test
  void theModesOwnRuleComesFirst() throws Exception {
    List<Integer> asked = new ArrayList<>();
    CompletableFuture<Join.Outcome<String>> done =
        join(Join.Mode.ALL, 2, 2)
            .stopWhen(
                (i, v, e) -> {
                  asked.add(i);
                  return true;
                },
                CancelReason.EARLY_EXIT)
            .start();

    children.get(0).completeExceptionally(new IllegalStateException("down"));

    assertThat(asked).as("an ALL join failed by its first failure asks no stop").isEmpty();
    assertThat(scopes.get(1).reason()).isEqualTo(CancelReason.SIBLING_FAILED);
    children.get(1).cancel(false);
    assertThat(done.get(1, TimeUnit.SECONDS).winner()).isZero();
  }
}
