package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.api.Braid;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.RunListener;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.workflow.InputField;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.internal.policy.CircuitBreakers;
import dev.braid.model.CancelReason;
import dev.braid.model.Clock;
import dev.braid.model.Durations;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Scope;
import java.time.InstantSource;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Starts one run: its thread, input defaults and result. The run-level timeout is the deadline of
 * {@code root}, which enforces it (its own timer), and closing the root at the end clears it.
 */
public final class RunStarter {
  private static final AtomicInteger RUNS = new AtomicInteger();

  private RunStarter() {}

  /**
   * Starts the run and returns its result future; {@code root} is its root scope (cancel it to
   * cancel the run). The future fails with a {@link StepFailedException}.
   */
  public static CompletableFuture<JsonNode> start(
      Braid braid,
      Workflow wf,
      Map<String, Set<String>> dependencies,
      JsonNode input,
      Scope root,
      Clock clock,
      RunListener listener,
      CircuitBreakers breakers,
      Random random,
      Supplier<Sandbox> sandbox,
      RunJournal journal,
      InstantSource wall) {
    int n = RUNS.incrementAndGet();
    ExecutorService loop =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "braid-run-" + n);
              t.setDaemon(true);
              return t;
            });
    Run run =
        new Run(
            braid,
            wf,
            dependencies,
            loop,
            clock,
            listener,
            breakers,
            random,
            sandbox,
            journal,
            wall);
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    loop.execute(
        () -> {
          run.emit(RunEvent.Type.RUN_STARTED, null, null);
          Env env =
              new Env(withDefaults(wf, input), JsonNodeFactory.instance.objectNode(), Map.of(), "");
          Steps steps = new Steps(run);
          new BlockRun(steps, wf.steps(), wf.output(), root.child(), env)
              .start()
              .whenCompleteAsync(
                  (v, e) -> {
                    if (e == null && !root.isCancelled()) {
                      run.emit(
                          RunEvent.Type.RUN_FINISHED,
                          null,
                          null,
                          null,
                          null,
                          0,
                          Status.OK,
                          null,
                          null,
                          v);
                      result.complete(v);
                    } else {
                      StepFailedException f = runFailure(wf, root, e);
                      run.emit(
                          RunEvent.Type.RUN_FINISHED,
                          f.step(),
                          null,
                          null,
                          null,
                          0,
                          f.isCancellation() ? Status.CANCELLED : Status.FAILED,
                          f.failure(),
                          null,
                          null);
                      result.completeExceptionally(f);
                    }
                    root.close();
                    loop.shutdown();
                  },
                  loop);
        });
    return result;
  }

  /** The run's failure: a cancel or timeout of the whole run, else the first step failure. */
  private static StepFailedException runFailure(Workflow wf, Scope root, Throwable e) {
    if (root.reason() == CancelReason.DEADLINE_EXCEEDED) {
      String limit = wf.timeout().map(t -> " " + Durations.format(t.value())).orElse("");
      return new StepFailedException(
          Failure.cancelled(
              CancelReason.DEADLINE_EXCEEDED, "the run's timeout" + limit + " expired"),
          null,
          wf.timeout().map(t -> t.at()).orElse(null));
    }
    if (root.isCancelled()) {
      return new StepFailedException(
          Failure.cancelled(
              root.reason(), "the run was cancelled (" + root.reason().wireName() + ")"),
          null,
          null);
    }
    if (e == null) {
      return new StepFailedException(
          Failure.of(FailureCode.INTERNAL, "Internal", "the run ended without a result"),
          null,
          null);
    }
    return Outcomes.failure(e, null, null);
  }

  /** The input with every declared field present: defaults, and null for optional ones. */
  private static JsonNode withDefaults(Workflow wf, JsonNode input) {
    ObjectNode o =
        input != null && input.isObject()
            ? ((ObjectNode) input).deepCopy()
            : JsonNodeFactory.instance.objectNode();
    for (InputField f : wf.input().values()) {
      if (!o.has(f.name())) {
        o.set(
            f.name(),
            f.defaultValue()
                .<JsonNode>map(d -> d.value().deepCopy())
                .orElse(NullNode.getInstance()));
      }
    }
    return o;
  }
}
