package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.workflow.InputField;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.gateway.workflow.expr.Values;
import dev.braid.model.Deadline;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Scope;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@code workflow:} step: the callee's steps as a {@link BlockRun} in a child scope of the step
 * (so the caller's deadline and cancellation reach every call of the callee; the callee's own
 * {@code timeout} is a deadline on that scope), with the callee's input and its own namespace of
 * results. Its step instances are named under the step's path ({@code enrich/fetch}), so that they
 * are journaled and replayed apart from the caller's. The result is the callee's {@code output}.
 *
 * <p>Runs on the run thread.
 */
final class SubWorkflowStep {
  private final Run run;
  private final Steps steps;

  SubWorkflowStep(Run run, Steps steps) {
    this.run = run;
    this.steps = steps;
  }

  CompletableFuture<JsonNode> run(Step.SubWorkflow sw, Scope scope, Env env, String name) {
    Workflow callee = sw.workflow();
    JsonNode given =
        sw.input().isPresent()
            ? sw.input().get().evaluate(env)
            : JsonNodeFactory.instance.objectNode();
    ObjectNode input = checkedInput(sw, callee, given, name);
    run.addSubWorkflow(callee);
    Deadline own = callee.timeout().map(t -> run.deadlineAfter(t.value())).orElse(null);
    Scope child = scope.child(own);
    // the run's secrets: a callee reads only the names it declares (the checker sees to it)
    Env inner =
        Env.subWorkflow(input, JsonNodeFactory.instance.objectNode(), name, env.lookup("secrets"));
    return new BlockRun(steps, callee.steps(), callee.output(), child, inner)
        .start()
        .whenComplete((v, e) -> child.close());
  }

  /**
   * The input as the callee declares it, defaults filled in; else the step fails {@code
   * INVALID_ARGUMENT} (type {@code InvalidInput}) naming every problem. {@code braid check} finds
   * what it can see without running; this is the rest (an input that is one expression).
   */
  private static ObjectNode checkedInput(
      Step.SubWorkflow sw, Workflow callee, JsonNode given, String name) {
    List<String> problems = new ArrayList<>();
    if (!given.isObject()) {
      problems.add("the input must be an object, not " + Values.typeName(given));
    } else {
      for (InputField f : callee.input().values()) {
        JsonNode v = given.get(f.name());
        if (v == null) {
          if (f.required()) {
            problems.add("field '" + f.name() + "' (" + f.type().value().word() + ") is missing");
          }
        } else if (!f.type().value().admits(v)) {
          problems.add(
              "field '"
                  + f.name()
                  + "' must be "
                  + f.type().value().article()
                  + ", not "
                  + Values.typeName(v));
        }
      }
      for (Iterator<String> it = given.fieldNames(); it.hasNext(); ) {
        String n = it.next();
        if (!callee.input().containsKey(n)) {
          problems.add("field '" + n + "' is not declared by the workflow");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new StepFailedException(
          Failure.of(
              FailureCode.INVALID_ARGUMENT,
              "InvalidInput",
              "the input of workflow '" + sw.ref().value() + "': " + String.join("; ", problems)),
          name,
          sw.at());
    }
    ObjectNode o = ((ObjectNode) given).deepCopy();
    for (InputField f : callee.input().values()) {
      if (!o.has(f.name())) {
        o.set(
            f.name(),
            f.defaultValue()
                .<JsonNode>map(d -> d.value().deepCopy())
                .orElse(JsonNodeFactory.instance.nullNode()));
      }
    }
    return o;
  }
}
