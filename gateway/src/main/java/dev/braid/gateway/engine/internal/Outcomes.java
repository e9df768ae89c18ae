package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.FailureJson;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.workflow.EvaluationException;
import dev.braid.gateway.workflow.Location;
import dev.braid.model.BraidFailure;
import dev.braid.model.CancelReason;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Failures;
import dev.braid.model.Scope;
import java.util.concurrent.CancellationException;

/** Conversions between the ways work can end and the failure records steps fail with. */
final class Outcomes {
  private Outcomes() {}

  /** The step failure behind any throwable a step's future completed with. */
  static StepFailedException failure(Throwable t, String step, Location at) {
    Throwable u = Failures.unwrap(t);
    if (u instanceof StepFailedException s) {
      return s;
    }
    if (u instanceof EvaluationException ee) {
      return new StepFailedException(
          Failure.of(FailureCode.INVALID_ARGUMENT, "ExpressionError", ee.render()), step, at);
    }
    if (u instanceof CancellationException && !(u instanceof BraidFailure)) {
      return new StepFailedException(
          Failure.cancelled(CancelReason.CANCELLED, "cancelled"), step, at);
    }
    return new StepFailedException(Failures.fromThrowable(u), step, at);
  }

  /** The failure of work stopped because {@code scope} was cancelled. */
  static Failure cancelled(Scope scope) {
    CancelReason r = scope.reason() == null ? CancelReason.CANCELLED : scope.reason();
    CancelReason root = scope.rootReason() == null ? r : scope.rootReason();
    // The record's reason carries the wire name (views show it once, after the message); the
    // message says in words what happened, so that the name is not repeated.
    String why =
        r == root
            ? explain(r)
            : explain(r) + "; further up, " + explain(root) + " (" + root.wireName() + ")";
    return Failure.cancelled(r, why);
  }

  /** What a cancel reason means, as a clause: "another branch won the race". */
  static String explain(CancelReason r) {
    return switch (r) {
      case CANCELLED -> "the run was cancelled";
      case DEADLINE_EXCEEDED -> "a deadline passed";
      case SIBLING_FAILED -> "a sibling step failed";
      case RACE_LOST -> "another branch won the race";
      case PARENT_CANCELLED -> "an enclosing step was cancelled";
      case SHUTDOWN -> "braid is shutting down";
      case WORKER_LOST -> "the worker running it was lost";
      case HEARTBEAT -> "a heartbeat did not arrive in time";
    };
  }

  /** {@code {"status": "ok", "value": V}}. */
  static ObjectNode ok(JsonNode value) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("status", "ok");
    o.set("value", value);
    return o;
  }

  /** {@code {"status": "failed", "error": FAILURE}}. */
  static ObjectNode failed(Failure f) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("status", "failed");
    o.set("error", FailureJson.toJson(f));
    return o;
  }
}
