package dev.braid.internal.policy;

import dev.braid.model.CancelReason;
import dev.braid.model.Scope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * Children run concurrently, at most {@code concurrency} at a time, combined by a {@link Mode}
 * (DESIGN §3.8). Each child runs in its own scope under {@code parent}, so that losers and the
 * siblings of a failure can be cancelled one by one; they are always cancelled, and always awaited:
 * the join completes only when every child it started has settled (structured concurrency).
 *
 * <p>Not thread-safe: {@link #start} and every child's outcome run on {@code executor}, which must
 * run tasks one at a time (the engine's run loop, or a sequential executor).
 */
public final class Join<T> {
  /**
   * {@code ALL} fails on the first failure and cancels the rest ({@code sibling_failed}); {@code
   * SETTLED} waits for every outcome; {@code RACE} takes the first to settle; {@code ANY} the first
   * success. Losers are cancelled with {@code race_lost}.
   */
  public enum Mode {
    ALL,
    SETTLED,
    RACE,
    ANY
  }

  /** Starts child {@code index} in {@code scope}, a child of the join's parent. */
  @FunctionalInterface
  public interface Child<T> {
    CompletableFuture<T> start(int index, Scope scope);
  }

  /**
   * What every child ended with; only the children that were started have an entry (a value or an
   * error; both null for a child never started).
   *
   * @param winner the child that decided the join ({@code RACE}/{@code ANY}: the winner; {@code
   *     ALL}: the first failure), or -1
   * @param started how many children were started (fewer than all when the join was decided or its
   *     parent cancelled first)
   */
  public record Outcome<T>(List<T> values, List<Throwable> errors, int winner, int started) {}

  private final Scope parent;
  private final Mode mode;
  private final int concurrency;
  private final int size;
  private final Child<T> child;
  private final Executor executor;
  private final Predicate<T> decisive;

  /**
   * Asked after each child settles, on the executor, unless the join is already decided: true
   * decides it at that child (no more start; the running ones are cancelled with the stop's
   * reason).
   */
  @FunctionalInterface
  public interface Stop<T> {
    boolean test(int index, T value, Throwable error);
  }

  private final Object[] values;
  private final Throwable[] errors;
  private final List<Scope> scopes = new ArrayList<>();
  private final CompletableFuture<Outcome<T>> done = new CompletableFuture<>();
  private int next;
  private int running;
  private int winner = -1;
  private boolean decided;
  private boolean atOnce;
  private Stop<T> stop;
  private CancelReason stopReason;

  /**
   * @param decisive whether a successful value may decide a {@code RACE} or {@code ANY} (the engine
   *     lets a skipped branch lose to the others)
   */
  public Join(
      Scope parent,
      Mode mode,
      int concurrency,
      int size,
      Child<T> child,
      Executor executor,
      Predicate<T> decisive) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency < 1: " + concurrency);
    }
    this.parent = parent;
    this.mode = mode;
    this.concurrency = concurrency;
    this.size = size;
    this.child = child;
    this.executor = executor;
    this.decisive = decisive;
    this.values = new Object[size];
    this.errors = new Throwable[size];
  }

  /**
   * Children whose future is already complete when started count at once, before the next child
   * starts (so an {@code ALL} join that one of them fails starts no more). The workflow engine
   * wants this for steps a resumed run replays; by default every child is started first and its
   * outcome handled on the executor. Before {@link #start}.
   */
  public Join<T> settlingDoneChildrenAtOnce() {
    this.atOnce = true;
    return this;
  }

  /**
   * Decides the join early when {@code stop} says so after a child settled (a loop's {@code until},
   * a quorum of successes): it is then decided at that child, as a race is, and the children still
   * running are cancelled with {@code reason}. Checked after the mode's own rule (an {@code ALL}
   * join still fails on the first failure). Before {@link #start}.
   */
  public Join<T> stopWhen(Stop<T> stop, CancelReason reason) {
    this.stop = stop;
    this.stopReason = reason;
    return this;
  }

  /** Starts the first children; call once, on the executor. */
  public CompletableFuture<Outcome<T>> start() {
    fill();
    return done;
  }

  private void fill() {
    while (running < concurrency && next < size && !decided && !parent.isCancelled()) {
      int i = next++;
      Scope s = parent.child();
      scopes.add(s);
      running++;
      CompletableFuture<T> f;
      try {
        f = child.start(i, s);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      if (atOnce && f.isDone()) {
        // A child that settled at once (a step a resumed run replays from its journal, a skipped
        // one) counts before the next starts: a loop over recorded items only starts the rest.
        f.whenComplete((v, e) -> record(i, v, e));
      } else {
        f.whenCompleteAsync(
            (v, e) -> {
              record(i, v, e);
              fill();
            },
            executor);
      }
    }
    if (running == 0 && (next == size || decided || parent.isCancelled())) {
      @SuppressWarnings("unchecked")
      List<T> vs = (List<T>) Arrays.asList(values);
      done.complete(new Outcome<>(vs, Arrays.asList(errors), winner, next));
    }
  }

  private void record(int i, T value, Throwable error) {
    running--;
    scopes.get(i).close();
    if (error == null) {
      values[i] = value;
    } else {
      errors[i] = error;
    }
    if (!decided) {
      switch (mode) {
        case ALL -> {
          if (error != null) {
            decide(i, CancelReason.SIBLING_FAILED);
          }
        }
        case RACE -> {
          if (error != null || decisive.test(value)) {
            decide(i, CancelReason.RACE_LOST);
          }
        }
        case ANY -> {
          if (error == null && decisive.test(value)) {
            decide(i, CancelReason.RACE_LOST);
          }
        }
        case SETTLED -> {}
      }
    }
    if (!decided && stop != null && stop.test(i, value, error)) {
      decide(i, stopReason);
    }
  }

  private void decide(int i, CancelReason othersWith) {
    decided = true;
    winner = i;
    for (int k = 0; k < scopes.size(); k++) {
      if (k != i) {
        scopes.get(k).cancel(othersWith);
      }
    }
  }
}
