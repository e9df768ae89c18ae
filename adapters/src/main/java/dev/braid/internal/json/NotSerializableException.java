package dev.braid.internal.json;

import com.fasterxml.jackson.core.JsonGenerationException;
import com.fasterxml.jackson.core.JsonGenerator;

/** A value breaks the JSON rule; {@link #problem()} says where and why ({@code $.x is NaN}). */
public final class NotSerializableException extends JsonGenerationException {
  private static final long serialVersionUID = 1L;

  private final String problem;

  NotSerializableException(String problem) {
    super(problem, (JsonGenerator) null);
    this.problem = problem;
  }

  /** The path and what is wrong there: {@code $.items[3].price is NaN}. */
  public String problem() {
    return problem;
  }
}
