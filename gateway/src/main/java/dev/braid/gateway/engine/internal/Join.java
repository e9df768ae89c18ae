package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.workflow.JoinMode;
import dev.braid.model.CancelReason;
import dev.braid.model.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * Children run concurrently, at most {@code concurrency} at a time, combined by a {@link JoinMode}
 * (DESIGN §3.8). Each child runs in its own scope under {@code parent}, so that losers and the
 * siblings of a failure can be cancelled one by one; they are always cancelled, and always awaited:
 * the join completes only when every child it started has settled.
 *
 * <p>Runs on the run thread only.
 */
final class Join {
  /** Starts child {@code index} as a child of {@code scope}. */
  interface Child extends BiFunction<Integer, Scope, CompletableFuture<JsonNode>> {}

  /** What every child ended with; only the children that were started have an entry. */
  record Outcome(JsonNode[] values, StepFailedException[] failures, int winner) {}

  private final Run run;
  private final Scope parent;
  private final JoinMode mode;
  private final int concurrency;
  private final int size;
  private final Child child;
  private final JsonNode[] values;
  private final StepFailedException[] failures;
  private final List<Scope> scopes = new ArrayList<>();
  private final CompletableFuture<Outcome> done = new CompletableFuture<>();
  private int next;
  private int running;
  private int winner = -1;
  private boolean decided;

  Join(Run run, Scope parent, JoinMode mode, int concurrency, int size, Child child) {
    this.run = run;
    this.parent = parent;
    this.mode = mode;
    this.concurrency = concurrency;
    this.size = size;
    this.child = child;
    this.values = new JsonNode[size];
    this.failures = new StepFailedException[size];
  }

  CompletableFuture<Outcome> start() {
    fill();
    return done;
  }

  private void fill() {
    while (running < concurrency && next < size && !decided && !parent.isCancelled()) {
      int i = next++;
      Scope s = parent.child();
      scopes.add(s);
      running++;
      CompletableFuture<JsonNode> f;
      try {
        f = child.apply(i, s);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenCompleteAsync((v, e) -> settled(i, v, e), run.loop);
    }
    if (running == 0 && (next == size || decided || parent.isCancelled())) {
      done.complete(new Outcome(values, failures, winner));
    }
  }

  private void settled(int i, JsonNode value, Throwable error) {
    running--;
    scopes.get(i).close();
    if (error == null) {
      values[i] = value;
    } else {
      failures[i] = Outcomes.failure(error, null, null);
    }
    if (!decided) {
      switch (mode) {
        case ALL -> {
          if (error != null) {
            decide(i, CancelReason.SIBLING_FAILED);
          }
        }
        case RACE -> {
          if (value != Steps.SKIPPED) {
            decide(i, CancelReason.RACE_LOST);
          }
        }
        case ANY -> {
          if (error == null && value != Steps.SKIPPED) {
            decide(i, CancelReason.RACE_LOST);
          }
        }
        case SETTLED -> {}
      }
    }
    fill();
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
