package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.FailureJson;
import dev.braid.gateway.workflow.Step;
import dev.braid.model.CancelReason;
import dev.braid.model.Deadline;
import dev.braid.model.Failure;
import dev.braid.model.Scope;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code try}/{@code catch}/{@code finally}. The handlers run <em>shielded</em>: in a scope of
 * their own, outside the tree the body ran in, so that the cancellation or deadline that stopped
 * the body cannot stop the clean-up; each is bounded by its own {@code timeout} instead.
 */
final class TryStep {
  private final Run run;
  private final Steps steps;

  TryStep(Run run, Steps steps) {
    this.run = run;
    this.steps = steps;
  }

  CompletableFuture<JsonNode> run(Step.Try t, Scope scope, Env env) {
    CompletableFuture<JsonNode> body =
        new BlockRun(steps, t.body(), t.body().output(), scope.child(), env.nestedBlock()).start();
    CompletableFuture<JsonNode> caught =
        t.catchBlock().isEmpty()
            ? body
            : recover(
                body, scope, error -> shielded(t.catchBlock().get(), env.bind("error", error)));
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
      CompletableFuture<JsonNode> body,
      Scope scope,
      Function<JsonNode, CompletableFuture<JsonNode>> handler) {
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
          forward(() -> handler.apply(error), result);
        },
        run.loop);
    return result;
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
