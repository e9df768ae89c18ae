package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.FailureJson;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.expr.Values;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/** The steps that shape data without calling anything: {@code set} and {@code raise}. */
final class DataSteps {
  /** The language of a failure a workflow raised itself. */
  static final String LANGUAGE = "workflow";

  /** The fields only a whole failure record has: one is raised again as it is. */
  private static final List<String> RECORD = List.of("code", "type", "message", "language");

  private DataSteps() {}

  /** {@code set}: the value, evaluated; runs on the run thread. */
  static CompletableFuture<JsonNode> set(Step.SetValue s, Env env) {
    return CompletableFuture.completedFuture(s.value().evaluate(env));
  }

  /** {@code raise}: a failed future with the failure record the step describes. */
  static CompletableFuture<JsonNode> raise(Step.Raise r, Env env, String name) {
    JsonNode v = r.value().evaluate(env);
    return CompletableFuture.failedFuture(new StepFailedException(failure(v), name, r.at()));
  }

  /**
   * The failure {@code v} describes: a whole record ({@code ${{ error }}} in a catch) as it is,
   * cause and stack included; else one built from its {@code code} (default {@code APPLICATION}),
   * {@code type}, {@code message} and {@code details}. A value that describes no failure gives an
   * {@code INVALID_ARGUMENT} failure saying why, so the step still fails.
   */
  static Failure failure(JsonNode v) {
    if (v == null || !v.isObject()) {
      return Failure.of(
          FailureCode.INVALID_ARGUMENT,
          "RaiseError",
          "raise needs an object { code, type, message, details }, not "
              + (v == null || v.isNull()
                  ? "null"
                  : v.getNodeType().name().toLowerCase(Locale.ROOT)));
    }
    if (RECORD.stream().allMatch(v::hasNonNull)) {
      try {
        return FailureJson.fromJson(v);
      } catch (IllegalArgumentException e) {
        return Failure.of(FailureCode.INVALID_ARGUMENT, "RaiseError", "raise: " + e.getMessage());
      }
    }
    FailureCode code = FailureCode.APPLICATION;
    JsonNode c = v.get("code");
    if (c != null && !c.isNull()) {
      try {
        code = FailureCode.valueOf(c.asText());
      } catch (IllegalArgumentException e) {
        return Failure.of(
            FailureCode.INVALID_ARGUMENT,
            "RaiseError",
            "raise: code '" + c.asText() + "' is not a failure code");
      }
    }
    String type = v.hasNonNull("type") ? Values.text(v.get("type")) : "WorkflowError";
    String message = v.hasNonNull("message") ? Values.text(v.get("message")) : "";
    JsonNode details = v.get("details");
    return new Failure(
        code,
        type,
        message,
        LANGUAGE,
        "",
        null,
        code.retryableByDefault(),
        details == null || details.isNull() ? null : details.toString(),
        null);
  }
}
