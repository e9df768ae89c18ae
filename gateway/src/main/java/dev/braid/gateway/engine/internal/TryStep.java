package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.FailureJson;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.expr.Values;
import dev.braid.model.CancelReason;
import dev.braid.model.Deadline;
import dev.braid.model.Failure;
import dev.braid.model.Scope;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code try}/{@code catch}/{@code finally}. The handlers run <em>shielded</em>: in a scope of
 * their own, outside the tree the body ran in, so that the cancellation or deadline that stopped
 * the body cannot stop the clean-up; each is bounded by its own {@code timeout} instead.
 *
 * <p>A failure of the body goes to the first {@code catch} clause whose filters match it; its
 * handler sees the failure under the clause's {@code as} name, the results of the body's steps that
 * completed, and their names in the order they finished as {@code completed}. No match: the failure
 * goes on as it is.
 */
final class TryStep {
  private final Run run;
  private final Steps steps;

  TryStep(Run run, Steps steps) {
    this.run = run;
    this.steps = steps;
  }

  CompletableFuture<JsonNode> run(Step.Try t, Scope scope, Env env) {
    // the body writes its results into this view, which the catch handlers read afterwards
    Env bodyEnv = env.nestedBlock();
    BlockRun bodyRun = new BlockRun(steps, t.body(), t.body().output(), scope.child(), bodyEnv);
    CompletableFuture<JsonNode> body = bodyRun.start();
    CompletableFuture<JsonNode> caught =
        t.catches().isEmpty() ? body : recover(t, body, bodyRun, bodyEnv, scope);
    if (t.finallyBlock().isEmpty()) {
      return caught;
    }
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    caught.whenCompleteAsync(
        (v, e) ->
            shielded(t.finallyBlock().get(), env)
                .whenCompleteAsync(
                    (fv, fe) -> {
                      if (fe != null) {
                        result.completeExceptionally(fe);
                      } else if (e != null) {
                        result.completeExceptionally(e);
                      } else {
                        result.complete(v);
                      }
                    },
                    run.loop),
        run.loop);
    return result;
  }

  private CompletableFuture<JsonNode> recover(
      Step.Try t, CompletableFuture<JsonNode> body, BlockRun bodyRun, Env bodyEnv, Scope scope) {
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    body.whenCompleteAsync(
        (v, e) -> {
          if (e == null) {
            result.complete(v);
            return;
          }
          Failure f = Outcomes.failure(e, null, null).failure();
          if (scope.reason() == CancelReason.DEADLINE_EXCEEDED) {
            // the try step's own timeout stopped the body, which only saw its scope cancelled:
            // the catch must see the timeout, not a cancellation
            f = Failure.cancelled(CancelReason.DEADLINE_EXCEEDED, "the try block ran out of time");
          }
          ObjectNode error = FailureJson.toJson(f);
          Failure failure = f;
          forward(() -> handle(t, failure, error, e, bodyRun, bodyEnv), result);
        },
        run.loop);
    return result;
  }

  /** Runs the first clause that matches {@code f}; none: fails with {@code original} as it is. */
  private CompletableFuture<JsonNode> handle(
      Step.Try t, Failure f, ObjectNode error, Throwable original, BlockRun bodyRun, Env bodyEnv) {
    for (Step.Catch c : t.catches()) {
      Env bound = bodyEnv.bind(c.as().value(), error);
      if (matches(c, f, bound)) {
        ArrayNode completed = JsonNodeFactory.instance.arrayNode();
        bodyRun.completed().forEach(completed::add);
        return shielded(c.handler(), bound.bind(Step.Catch.COMPLETED, completed));
      }
    }
    return CompletableFuture.failedFuture(original);
  }

  private static boolean matches(Step.Catch c, Failure f, Env env) {
    if (!c.types().isEmpty()
        && c.types().stream().map(Located::value).noneMatch(f.type()::equals)) {
      return false;
    }
    if (!c.codes().isEmpty()
        && c.codes().stream().map(Located::value).noneMatch(f.code().name()::equals)) {
      return false;
    }
    // an expression error here fails the step (through forward), like one in any handler
    return c.when().isEmpty() || Values.truthy(c.when().get().evaluate(env));
  }

  /** Runs a handler's block under a fresh root scope with the handler's own deadline. */
  private CompletableFuture<JsonNode> shielded(Step.Handler h, Env env) {
    Deadline d = run.deadlineAfter(h.timeout().value());
    Scope shield = Scope.root(d);
    // A shutdown of the process is the one cancel a handler is not shielded from: the run will
    // resume elsewhere and run the handler again, and the process must not wait for it.
    Runnable unhook =
        run.root.onCancel(
            r -> {
              if (r == CancelReason.SHUTDOWN) {
                shield.cancel(CancelReason.SHUTDOWN);
              }
            });
    CompletableFuture<JsonNode> r =
        new BlockRun(steps, h.block(), h.block().output(), shield, env.nestedBlock()).start();
    return r.whenComplete(
        (v, e) -> {
          unhook.run();
          shield.close();
        });
  }

  private static void forward(
      Supplier<CompletableFuture<JsonNode>> next, CompletableFuture<JsonNode> into) {
    CompletableFuture<JsonNode> f;
    try {
      f = next.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete(
        (v, e) -> {
          if (e != null) {
            into.completeExceptionally(e);
          } else {
            into.complete(v);
          }
        });
  }
}
