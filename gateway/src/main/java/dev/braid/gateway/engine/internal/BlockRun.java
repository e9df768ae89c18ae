package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.workflow.Block;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Template;
import dev.braid.model.CancelReason;
import dev.braid.model.Scope;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A {@code steps:} block: each step starts as soon as the steps it depends on are done, so
 * independent steps run concurrently. The first failure cancels the running steps ({@code
 * sibling_failed}); the block then fails with it once they have settled, and the steps that were
 * waiting never start.
 *
 * <p>Runs on the run thread only.
 */
final class BlockRun {
  private final Steps steps;
  private final Map<String, Step> block;
  private final Optional<Template> output;
  private final Scope scope;
  private final Env env;
  private final Map<String, Set<String>> dependencies;
  private final Set<String> started = new HashSet<>();
  private final Map<String, JsonNode> results = new LinkedHashMap<>();
  private final CompletableFuture<JsonNode> done = new CompletableFuture<>();
  private int running;
  private StepFailedException failure;

  /**
   * @param env the environment of the block: its {@code steps} object receives the block's results
   * @param output the block's value, or empty for an object of every step's result by name
   */
  BlockRun(Steps steps, Block block, Optional<Template> output, Scope scope, Env env) {
    this.steps = steps;
    this.block = block.steps();
    this.output = output;
    this.scope = scope;
    this.env = env;
    this.dependencies = steps.run().dependencies;
  }

  /**
   * The names of the block's steps that have succeeded so far (skipped ones excluded), in the order
   * they finished: what a {@code catch} sees as {@code completed}.
   */
  List<String> completed() {
    List<String> out = new ArrayList<>();
    results.forEach(
        (name, value) -> {
          if (value != Steps.SKIPPED) {
            out.add(name);
          }
        });
    return out;
  }

  CompletableFuture<JsonNode> start() {
    launchReady();
    return done;
  }

  private void launchReady() {
    if (failure == null && !scope.isCancelled()) {
      for (Step s : block.values()) {
        if (!started.contains(s.name()) && ready(s.name())) {
          started.add(s.name());
          running++;
          steps.run(s, scope, env).whenCompleteAsync((v, e) -> settled(s, v, e), steps.run().loop);
        }
      }
    }
    if (running == 0) {
      finish();
    }
  }

  private boolean ready(String name) {
    for (String d : dependencies.getOrDefault(name, Set.of())) {
      if (block.containsKey(d) && !results.containsKey(d)) {
        return false;
      }
    }
    return true;
  }

  private void settled(Step s, JsonNode value, Throwable error) {
    running--;
    if (error == null) {
      results.put(s.name(), value);
      ((ObjectNode) env.steps()).set(s.name(), value);
    } else if (failure == null) {
      failure = Outcomes.failure(error, null, null);
      scope.cancel(CancelReason.SIBLING_FAILED);
    }
    launchReady();
  }

  private void finish() {
    if (done.isDone()) {
      return;
    }
    if (failure != null) {
      done.completeExceptionally(failure);
    } else if (scope.isCancelled() || results.size() < block.size()) {
      done.completeExceptionally(new StepFailedException(Outcomes.cancelled(scope), null, null));
    } else {
      try {
        done.complete(output.isPresent() ? output.get().evaluate(env) : byName());
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    }
  }

  private JsonNode byName() {
    ObjectNode o = env.steps().objectNode();
    for (String name : block.keySet()) {
      o.set(name, results.get(name));
    }
    return o;
  }
}
