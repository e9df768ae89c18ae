package dev.braid.api;

import com.google.common.util.concurrent.MoreExecutors;
import dev.braid.internal.policy.Join;
import dev.braid.model.CancelReason;
import dev.braid.model.Failure;
import dev.braid.model.Failures;
import dev.braid.model.Scope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Run calls concurrently and combine them (DESIGN §3.8): {@link #all}, {@link #settled}, {@link
 * #race}, {@link #any} and {@link #map}, the same combinators as a workflow's {@code parallel} and
 * {@code for_each}.
 *
 * <p>Each task is a function of a {@link Scope}: it gets a child scope of {@code parent} and makes
 * its calls in it ({@code CallOptions.builder().parent(scope)}), so that it can be cancelled alone.
 * Losers of a race and the siblings of a failure are cancelled ({@code race_lost}, {@code
 * sibling_failed}) and <em>awaited</em>: the combined future completes only when every task it
 * started has settled, and for a task that returned a {@link RemoteCall}, when its callee has
 * finished cleaning up ({@link RemoteCall#cleanup()}). A task that returns a {@code RemoteCall}
 * directly is cancelled with the reason itself; calls deeper inside a task hear {@code
 * parent_cancelled} (the scope's {@link Scope#rootReason()} still says why).
 *
 * <pre>{@code
 * JsonNode first = Calls.race(scope,
 *     s -> py.call(List.of(x), CallOptions.builder().parent(s).build()),
 *     s -> js.call(List.of(x), CallOptions.builder().parent(s).build())).get();
 * }</pre>
 *
 * <p>A null {@code parent} means a fresh root scope. Task functions run one at a time on a {@link
 * ForkJoinPool#commonPool()} thread; they should start work and return, not block. Cancelling the
 * returned future does not cancel the tasks: cancel {@code parent}.
 */
public final class Calls {
  private Calls() {}

  /** A task: starts work in the given scope. */
  @FunctionalInterface
  public interface Task<T> extends Function<Scope, CompletableFuture<T>> {}

  /**
   * One task's outcome in {@link #settled}: a value, or the failure it ended with.
   *
   * @param value null when failed
   * @param failure null when the task succeeded
   */
  public record Outcome<T>(T value, Failure failure) {
    public boolean ok() {
      return failure == null;
    }
  }

  /** Every value in order; fails with the first failure, cancelling the rest (sibling_failed). */
  @SafeVarargs
  public static <T> CompletableFuture<List<T>> all(Scope parent, Task<T>... tasks) {
    return all(parent, Arrays.asList(tasks));
  }

  /** Every value in order; fails with the first failure, cancelling the rest (sibling_failed). */
  public static <T> CompletableFuture<List<T>> all(Scope parent, List<? extends Task<T>> tasks) {
    return join(parent, Join.Mode.ALL, tasks.size(), tasks.size(), (i, s) -> tasks.get(i).apply(s))
        .thenApply(Calls::valuesOrFirstFailure);
  }

  /** Every task's outcome in order, successes and failures alike; nothing is cancelled. */
  public static <T> CompletableFuture<List<Outcome<T>>> settled(
      Scope parent, List<? extends Task<T>> tasks) {
    return join(
            parent, Join.Mode.SETTLED, tasks.size(), tasks.size(), (i, s) -> tasks.get(i).apply(s))
        .thenApply(Calls::outcomes);
  }

  /** The first task to settle decides (value or failure); the others are cancelled (race_lost). */
  @SafeVarargs
  public static <T> CompletableFuture<T> race(Scope parent, Task<T>... tasks) {
    return race(parent, Arrays.asList(tasks));
  }

  /** The first task to settle decides (value or failure); the others are cancelled (race_lost). */
  public static <T> CompletableFuture<T> race(Scope parent, List<? extends Task<T>> tasks) {
    requireSome(tasks);
    return join(parent, Join.Mode.RACE, tasks.size(), tasks.size(), (i, s) -> tasks.get(i).apply(s))
        .thenApply(Calls::winner);
  }

  /**
   * The first success; the others are cancelled (race_lost). When every task fails, fails with the
   * first task's failure (the others are in its suppressed exceptions).
   */
  @SafeVarargs
  public static <T> CompletableFuture<T> any(Scope parent, Task<T>... tasks) {
    return any(parent, Arrays.asList(tasks));
  }

  /** See {@link #any(Scope, Task[])}. */
  public static <T> CompletableFuture<T> any(Scope parent, List<? extends Task<T>> tasks) {
    requireSome(tasks);
    return join(parent, Join.Mode.ANY, tasks.size(), tasks.size(), (i, s) -> tasks.get(i).apply(s))
        .thenApply(Calls::firstSuccess);
  }

  /**
   * {@code fn} over every item, at most {@code concurrency} at a time; the values in item order.
   * Fails like {@link #all}: the first failure cancels the running ones (sibling_failed) and starts
   * no more.
   */
  public static <I, T> CompletableFuture<List<T>> map(
      Scope parent,
      List<? extends I> items,
      int concurrency,
      BiFunction<? super I, Scope, CompletableFuture<T>> fn) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency < 1: " + concurrency);
    }
    return join(
            parent, Join.Mode.ALL, concurrency, items.size(), (i, s) -> fn.apply(items.get(i), s))
        .thenApply(Calls::valuesOrFirstFailure);
  }

  private static void requireSome(List<?> tasks) {
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException("no tasks to choose from");
    }
  }

  private static <T> CompletableFuture<Join.Outcome<T>> join(
      Scope parent, Join.Mode mode, int concurrency, int size, Join.Child<T> child) {
    Scope scope = parent != null ? parent : Scope.root();
    // Join is single-threaded by design: its state changes run one at a time on this executor
    Executor serial = MoreExecutors.newSequentialExecutor(ForkJoinPool.commonPool());
    Join<T> join = new Join<>(scope, mode, concurrency, size, awaited(child), serial, v -> true);
    CompletableFuture<Join.Outcome<T>> started = new CompletableFuture<>();
    serial.execute(
        () -> {
          try {
            join.start().whenComplete((o, e) -> settle(started, o, e));
          } catch (RuntimeException e) {
            started.completeExceptionally(e);
          }
        });
    return started;
  }

  private static <T> void settle(CompletableFuture<T> f, T value, Throwable error) {
    if (error == null) {
      f.complete(value);
    } else {
      f.completeExceptionally(error);
    }
  }

  /**
   * A remote call counts as settled only when its callee finished cleaning up: a cancelled loser
   * must not outlive the combinator.
   */
  private static <T> Join.Child<T> awaited(Join.Child<T> child) {
    return (i, s) -> {
      CompletableFuture<T> f = child.start(i, s);
      if (!(f instanceof RemoteCall call)) {
        return f;
      }
      // Scope listeners run before its children are cancelled, so the callee hears the real
      // reason (race_lost, sibling_failed) rather than parent_cancelled.
      Runnable unhook = s.onCancel(call::cancel);
      return call.handle((v, e) -> null)
          .thenCompose(x -> call.cleanup())
          .handle((c, e) -> null)
          .thenCompose(
              x -> {
                unhook.run();
                return call.copy();
              })
          .thenApply(v -> castValue(v));
    };
  }

  @SuppressWarnings("unchecked")
  private static <T> T castValue(Object v) {
    return (T) v;
  }

  private static <T> List<T> valuesOrFirstFailure(Join.Outcome<T> o) {
    if (o.winner() >= 0) {
      throw rethrow(o.errors().get(o.winner()));
    }
    for (Throwable e : o.errors()) {
      if (e != null) {
        throw rethrow(e);
      }
    }
    if (o.started() < o.values().size()) {
      throw rethrow(cancelledBeforeStart());
    }
    return new ArrayList<>(o.values());
  }

  private static <T> List<Outcome<T>> outcomes(Join.Outcome<T> o) {
    List<Outcome<T>> out = new ArrayList<>();
    for (int i = 0; i < o.values().size(); i++) {
      Throwable e = o.errors().get(i);
      out.add(e == null ? new Outcome<>(o.values().get(i), null) : new Outcome<>(null, failure(e)));
    }
    return out;
  }

  private static <T> T winner(Join.Outcome<T> o) {
    if (o.winner() < 0) {
      throw rethrow(cancelledBeforeStart());
    }
    Throwable e = o.errors().get(o.winner());
    if (e != null) {
      throw rethrow(e);
    }
    return o.values().get(o.winner());
  }

  private static <T> T firstSuccess(Join.Outcome<T> o) {
    if (o.winner() >= 0) {
      return o.values().get(o.winner());
    }
    Throwable first = null;
    for (Throwable e : o.errors()) {
      if (e == null) {
        continue;
      }
      if (first == null) {
        first = Failures.unwrap(e);
      } else if (first != Failures.unwrap(e)) {
        first.addSuppressed(Failures.unwrap(e));
      }
    }
    throw rethrow(first != null ? first : cancelledBeforeStart());
  }

  private static Failure failure(Throwable e) {
    return Failures.fromThrowable(e);
  }

  private static Throwable cancelledBeforeStart() {
    return Failures.toException(
        Failure.cancelled(CancelReason.CANCELLED, "the scope was cancelled before every task ran"),
        false);
  }

  private static CompletionException rethrow(Throwable e) {
    Throwable cause = Failures.unwrap(e);
    return cause instanceof CompletionException ce ? ce : new CompletionException(cause);
  }
}
