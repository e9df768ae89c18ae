package dev.braid.gateway.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.model.Failure;
import java.util.Objects;

/**
 * How a step instance settled, as a {@link RunJournal} records it: a value, or a failure. Exactly
 * one of the two is set.
 */
public record StepOutcome(JsonNode value, Failure failure) {
  public StepOutcome {
    if ((value == null) == (failure == null)) {
      throw new IllegalArgumentException("exactly one of value and failure");
    }
  }

  public static StepOutcome ok(JsonNode value) {
    return new StepOutcome(Objects.requireNonNull(value, "value"), null);
  }

  public static StepOutcome failed(Failure failure) {
    return new StepOutcome(null, Objects.requireNonNull(failure, "failure"));
  }

  public boolean isOk() {
    return failure == null;
  }
}
