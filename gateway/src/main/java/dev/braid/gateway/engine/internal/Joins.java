package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.FailureJson;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.gateway.workflow.EvaluationException;
import dev.braid.gateway.workflow.JoinMode;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.expr.Values;
import dev.braid.internal.policy.Join;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * {@code parallel} and {@code for_each}: a {@link Join} of the core, run on the run loop, and the
 * shape of its result.
 */
final class Joins {
  private final Run run;
  private final Steps steps;

  Joins(Run run, Steps steps) {
    this.run = run;
    this.steps = steps;
  }

  CompletableFuture<JsonNode> parallel(Step.Parallel p, Scope scope, Env env) {
    List<String> names = new ArrayList<>(p.branches().keySet());
    List<Step> branches = new ArrayList<>(p.branches().values());
    JoinMode mode = p.mode().value();
    int won = recordedWinner(mode, branches, env);
    if (won >= 0) {
      // an earlier life recorded the winner but not the race: it is the race's outcome, and the
      // others, which lost then, are not started again
      Scope s = scope.child();
      return steps.run(branches.get(won), s, env).whenComplete((v, e) -> s.close());
    }
    Join<JsonNode> join =
        new Join<>(
            scope,
            Join.Mode.valueOf(mode.name()),
            branches.size(),
            branches.size(),
            (i, s) -> steps.run(branches.get(i), s, env),
            run.loop,
            Joins::decisive);
    return join.settlingDoneChildrenAtOnce()
        .start()
        .thenApply(o -> combine(mode, outcome(o), names));
  }

  CompletableFuture<JsonNode> forEach(Step.ForEach f, Scope scope, Env env, String name) {
    JsonNode items = f.items().evaluate(env);
    if (!items.isArray()) {
      throw new EvaluationException(
          f.items().at(),
          "for_each needs a list, but the expression gave " + Values.typeName(items));
    }
    JoinMode mode = f.mode().value();
    IntFunction<Env> itemEnv = i -> itemEnv(f, env, items, i, name);
    Join.Child<JsonNode> child = (i, s) -> steps.run(f.body(), s, itemEnv.apply(i));
    if (f.until().isPresent() || f.quorum().isPresent()) {
      return new EarlyStop(f, items.size(), itemEnv).run(run, scope, child);
    }
    Join<JsonNode> join =
        new Join<>(
            scope,
            Join.Mode.valueOf(mode.name()),
            f.concurrency().value(),
            items.size(),
            child,
            run.loop,
            Joins::decisive);
    return join.settlingDoneChildrenAtOnce()
        .start()
        .thenApply(o -> combine(mode, outcome(o), null));
  }

  /**
   * What item {@code i}'s body sees: the item under {@code as}, its position under {@code index}.
   */
  private static Env itemEnv(Step.ForEach f, Env env, JsonNode items, int i, String name) {
    Env e = env.item(f.as().value(), items.get(i), name, i, items.size());
    return f.index().isPresent() ? e.bind(f.index().get().value(), IntNode.valueOf(i)) : e;
  }

  /**
   * For {@code race} and {@code any}: the branch whose recorded outcome decided the join in an
   * earlier life of the run (for {@code any}, a success), or -1.
   */
  private int recordedWinner(JoinMode mode, List<Step> branches, Env env) {
    if (mode != JoinMode.RACE && mode != JoinMode.ANY) {
      return -1;
    }
    for (int i = 0; i < branches.size(); i++) {
      Optional<StepOutcome> o = run.recorded(Steps.path(branches.get(i), env));
      if (o.isPresent() && (mode == JoinMode.RACE || o.get().isOk())) {
        return i;
      }
    }
    return -1;
  }

  /** A skipped branch neither wins a race nor counts as a success. */
  private static boolean decisive(JsonNode value) {
    return value != Steps.SKIPPED;
  }

  /** A join's outcome, its errors as the step failures they become. */
  record Outcome(JsonNode[] values, StepFailedException[] failures, int winner) {}

  static Outcome outcome(Join.Outcome<JsonNode> o) {
    int n = o.values().size();
    JsonNode[] values = o.values().toArray(new JsonNode[n]);
    StepFailedException[] failures = new StepFailedException[n];
    for (int i = 0; i < n; i++) {
      Throwable e = o.errors().get(i);
      failures[i] = e == null ? null : Outcomes.failure(e, null, null);
    }
    return new Outcome(values, failures, o.winner());
  }

  /**
   * The join's result: by branch name when {@code names} is given, else a list in item order.
   *
   * @throws StepFailedException when the mode says the join failed
   */
  static JsonNode combine(JoinMode mode, Outcome o, List<String> names) {
    switch (mode) {
      case RACE -> {
        // nothing won only when the scope was cancelled before any child settled; the step
        // reports that cancellation itself
        if (o.winner() < 0) {
          // every branch was skipped (else the scope was cancelled before any settled, and the
          // step reports that cancellation itself)
          if (firstFailureOrNull(o) == null) {
            return NullNode.getInstance();
          }
          throw firstFailure(o);
        }
        if (o.failures()[o.winner()] != null) {
          throw o.failures()[o.winner()];
        }
        return o.values()[o.winner()];
      }
      case ANY -> {
        if (o.winner() >= 0) {
          return o.values()[o.winner()];
        }
        if (firstFailureOrNull(o) == null) {
          return NullNode.getInstance();
        }
        throw allFailed(o, names);
      }
      case ALL -> {
        if (o.winner() >= 0) {
          throw o.failures()[o.winner()];
        }
        StepFailedException unfinished = firstFailureOrNull(o);
        if (unfinished != null) {
          throw unfinished;
        }
        return shape(o, names, false);
      }
      default -> {
        return shape(o, names, true);
      }
    }
  }

  private static JsonNode shape(Outcome o, List<String> names, boolean outcomes) {
    int n = o.values().length;
    ObjectNode byName = JsonNodeFactory.instance.objectNode();
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < n; i++) {
      JsonNode item;
      if (!outcomes) {
        item = o.values()[i];
      } else if (o.failures()[i] != null) {
        item = Outcomes.failed(o.failures()[i].failure());
      } else {
        item = Outcomes.ok(o.values()[i]);
      }
      if (names != null) {
        byName.set(names.get(i), item);
      } else {
        list.add(item);
      }
    }
    return names != null ? byName : list;
  }

  private static StepFailedException firstFailureOrNull(Outcome o) {
    for (StepFailedException f : o.failures()) {
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  private static StepFailedException firstFailure(Outcome o) {
    StepFailedException f = firstFailureOrNull(o);
    return f != null
        ? f
        : new StepFailedException(
            Failure.of(FailureCode.CANCELLED, "Cancelled", "cancelled before any branch settled"),
            null,
            null);
  }

  /** {@code any} with no success: one failure that lists every branch's. */
  private static StepFailedException allFailed(Outcome o, List<String> names) {
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    StringBuilder msg = new StringBuilder("every branch failed");
    FailureCode code = null;
    Failure first = null;
    String sep = ": ";
    for (int i = 0; i < o.failures().length; i++) {
      StepFailedException f = o.failures()[i];
      if (f == null) {
        continue;
      }
      String key = names != null ? names.get(i) : String.valueOf(i);
      details.set(key, FailureJson.toJson(f.failure()));
      msg.append(sep).append(key).append(" (").append(f.failure().headline()).append(')');
      sep = "; ";
      code =
          code == null || code == f.failure().code() ? f.failure().code() : FailureCode.APPLICATION;
      first = first == null ? f.failure() : first;
    }
    if (first == null) {
      return firstFailure(o);
    }
    Failure agg =
        Failure.of(code, "AllFailed", msg.toString())
            .withCause(first)
            .withDetails(details.toString());
    return new StepFailedException(agg, null, null);
  }
}
