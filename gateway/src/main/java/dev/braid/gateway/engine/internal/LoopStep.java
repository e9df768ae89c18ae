package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.workflow.Step;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Scope;
import java.util.concurrent.CompletableFuture;

/**
 * A {@code loop} step: its body again and again, one iteration at a time, each a {@link BlockRun}
 * in a child scope whose step instances carry the iteration's index ({@code status[3]}), so that a
 * resumed run replays the iterations it finished. The pause before an iteration is an instant
 * journaled under {@code delay:PATH[i]} (the rule of {@code wait}): a run resumed mid-pause wakes
 * when it would have.
 *
 * <p>Runs on the run thread; each iteration starts from a completion hopped onto it, so a long loop
 * never deepens the stack.
 */
final class LoopStep {
  private final Run run;
  private final Steps steps;

  LoopStep(Run run, Steps steps) {
    this.run = run;
    this.steps = steps;
  }

  CompletableFuture<JsonNode> run(Step.Loop l, Scope scope, Env env, String name) {
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    next(l, scope, env, name, 0, NullNode.getInstance(), result);
    return result;
  }

  /** Starts iteration {@code i} (unless the loop is over); {@code last} is the previous output. */
  private void next(
      Step.Loop l,
      Scope scope,
      Env env,
      String name,
      int i,
      JsonNode last,
      CompletableFuture<JsonNode> result) {
    try {
      if (scope.isCancelled()) {
        result.completeExceptionally(
            new StepFailedException(Outcomes.cancelled(scope), name, l.at()));
        return;
      }
      if (i >= l.maxIterations().value()) {
        if (l.conditional()) {
          result.completeExceptionally(exhausted(l, name));
        } else {
          result.complete(last);
        }
        return;
      }
      Env iteration =
          env.nestedBlock()
              .item(EarlyStop.ITERATION, state(i, last), name, i, l.maxIterations().value());
      if (l.whileCondition().isPresent() && !l.whileCondition().get().condition(iteration)) {
        result.complete(last);
        return;
      }
      CompletableFuture<Void> pause;
      if (i > 0 && l.delay().isPresent()) {
        long fresh = run.wall.millis() + l.delay().get().before(i).toMillis();
        long wake = run.instant("delay:" + name + "[" + i + "]", fresh);
        pause = WaitStep.sleepUntil(run, wake, scope, name, l.at());
      } else {
        pause = CompletableFuture.completedFuture(null);
      }
      pause
          .thenComposeAsync(
              v -> {
                Scope body = scope.child();
                return new BlockRun(steps, l.body(), l.body().output(), body, iteration)
                    .start()
                    .whenComplete((x, e) -> body.close());
              },
              run.loop)
          .whenCompleteAsync(
              (value, error) -> {
                if (error != null) {
                  result.completeExceptionally(error);
                  return;
                }
                try {
                  JsonNode out = value == null ? NullNode.getInstance() : value;
                  if (l.until().isPresent()
                      && l.until()
                          .get()
                          .condition(iteration.bind(EarlyStop.ITERATION, state(i, out)))) {
                    result.complete(out);
                    return;
                  }
                  next(l, scope, env, name, i + 1, out, result);
                } catch (RuntimeException e) {
                  result.completeExceptionally(e);
                }
              },
              run.loop);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  /** What {@code loop} reads: {@code {index, last}}. */
  private static ObjectNode state(int index, JsonNode last) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("index", index);
    o.set("last", last);
    return o;
  }

  private static StepFailedException exhausted(Step.Loop l, String name) {
    String cond =
        l.until().isPresent() && l.whileCondition().isPresent()
            ? "its while: still held and its until: never did"
            : l.until().isPresent() ? "its until: never held" : "its while: still held";
    return new StepFailedException(
        Failure.of(
            FailureCode.RESOURCE_EXHAUSTED,
            "MaxIterations",
            "loop '"
                + name
                + "' reached max_iterations ("
                + l.maxIterations().value()
                + ") and "
                + cond),
        name,
        l.maxIterations().at());
  }
}
