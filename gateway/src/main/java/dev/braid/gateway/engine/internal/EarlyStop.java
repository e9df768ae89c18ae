package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.FailureJson;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.workflow.JoinMode;
import dev.braid.gateway.workflow.Step;
import dev.braid.internal.policy.Join;
import dev.braid.model.CancelReason;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Scope;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * A {@code for_each} that may stop before its last item: by {@code until} (an expression over the
 * results so far, asked after each item settles) or by {@code quorum} (the first N successes). The
 * join is decided at the item that makes it stop; no further item starts and the running ones are
 * cancelled with {@code early_exit}, which their functions observe as the reason. The result lists
 * the items in order, null for those that did not settle before the stop.
 *
 * <p>One instance per step instance; runs on the run thread only.
 */
final class EarlyStop {
  /** The name a loop's iteration state is bound to in expressions (CEL reserves {@code loop}). */
  static final String ITERATION = "iteration";

  private final Step.ForEach f;
  private final IntFunction<Env> itemEnv;
  private final int size;
  private final boolean settledMode;
  private final boolean[] counted;
  private final ArrayNode results = JsonNodeFactory.instance.arrayNode();
  private int successes;
  private int settled;
  private boolean stopped;
  private boolean unreachable;
  private RuntimeException untilFailed;

  EarlyStop(Step.ForEach f, int size, IntFunction<Env> itemEnv) {
    this.f = f;
    this.size = size;
    this.itemEnv = itemEnv;
    this.settledMode = f.quorum().isEmpty() && f.mode().value() == JoinMode.SETTLED;
    this.counted = new boolean[size];
    for (int i = 0; i < size; i++) {
      results.addNull();
    }
  }

  CompletableFuture<JsonNode> run(Run run, Scope scope, Join.Child<JsonNode> child) {
    Join.Mode mode = f.quorum().isPresent() || settledMode ? Join.Mode.SETTLED : Join.Mode.ALL;
    return new Join<>(scope, mode, f.concurrency().value(), size, child, run.loop, v -> true)
        .settlingDoneChildrenAtOnce()
        .stopWhen(this::stop, CancelReason.EARLY_EXIT)
        .start()
        .thenApply(this::combine);
  }

  /** After item {@code i} settled, before the join is decided: whether to stop here. */
  private boolean stop(int i, JsonNode value, Throwable error) {
    settled++;
    counted[i] = true;
    if (f.quorum().isPresent()) {
      int quorum = f.quorum().get().value();
      if (error == null) {
        successes++;
      }
      stopped = successes >= quorum;
      unreachable = !stopped && successes + (size - settled) < quorum;
      return stopped || unreachable;
    }
    JsonNode r =
        !settledMode
            ? value
            : error == null
                ? Outcomes.ok(value)
                : Outcomes.failed(Outcomes.failure(error, null, null).failure());
    results.set(i, r);
    ObjectNode loop = JsonNodeFactory.instance.objectNode();
    loop.put("index", i);
    loop.set("result", r);
    loop.set("results", results);
    try {
      stopped = f.until().get().condition(itemEnv.apply(i).bind(ITERATION, loop));
    } catch (RuntimeException e) {
      untilFailed = e;
      return true;
    }
    return stopped;
  }

  private JsonNode combine(Join.Outcome<JsonNode> o) {
    if (untilFailed != null) {
      throw untilFailed;
    }
    if (f.quorum().isPresent() && !stopped) {
      throw quorumNotReached(o);
    }
    if (!stopped) {
      return Joins.combine(f.mode().value(), Joins.outcome(o), null);
    }
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < size; i++) {
      Throwable e = i < o.values().size() ? o.errors().get(i) : null;
      if (!counted[i]) {
        list.add(NullNode.getInstance());
      } else if (settledMode) {
        list.add(
            e == null
                ? Outcomes.ok(o.values().get(i))
                : Outcomes.failed(Outcomes.failure(e, null, null).failure()));
      } else {
        list.add(e == null ? o.values().get(i) : NullNode.getInstance());
      }
    }
    return list;
  }

  /** Fewer successes than the quorum: one failure listing every item's. */
  private StepFailedException quorumNotReached(Join.Outcome<JsonNode> o) {
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    Failure first = null;
    for (int i = 0; i < o.errors().size(); i++) {
      Throwable e = o.errors().get(i);
      if (e != null && counted[i]) {
        Failure fi = Outcomes.failure(e, null, null).failure();
        details.set(String.valueOf(i), FailureJson.toJson(fi));
        first = first == null ? fi : first;
      }
    }
    int quorum = f.quorum().get().value();
    Failure agg =
        Failure.of(
            FailureCode.APPLICATION,
            "QuorumNotReached",
            successes
                + " of "
                + size
                + " items succeeded, "
                + (settled - successes)
                + " failed; quorum: "
                + quorum
                + " can no longer be reached");
    if (first != null) {
      agg = agg.withCause(first);
    }
    return new StepFailedException(agg.withDetails(details.toString()), null, null);
  }
}
