package dev.braid.gateway.engine;

import dev.braid.gateway.workflow.Location;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;

/**
 * A step failed, and nothing in the workflow turned the failure into a value: the run fails with
 * this. A cancelled run fails with one too, with code {@code CANCELLED}.
 *
 * @see #step()
 */
public final class StepFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Failure failure;
  private final String step;
  private final transient Location at;

  /**
   * @param failure the failure record, as it would appear in {@code ${{ error }}}
   * @param step the step instance where it started ({@code pay}, {@code prices.do[3]}), or null
   *     when the run itself failed (its timeout, a cancel before any step)
   * @param at where that step is written, or null
   */
  public StepFailedException(Failure failure, String step, Location at) {
    super(failure.headline(), null, false, false);
    this.failure = failure;
    this.step = step;
    this.at = at;
  }

  public Failure failure() {
    return failure;
  }

  public String step() {
    return step;
  }

  public Location at() {
    return at;
  }

  public boolean isCancellation() {
    return failure.code() == FailureCode.CANCELLED;
  }

  /** One line for people: where, which step, then the failure's headline and code. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    if (at != null) {
      sb.append(at).append(": ");
    }
    if (step != null) {
      sb.append("step '").append(step).append("' ");
    } else {
      sb.append("the run ");
    }
    sb.append(isCancellation() ? "was cancelled" : "failed").append(": ");
    sb.append(failure.headline()).append(" [").append(failure.code());
    if (!failure.language().isEmpty()) {
      sb.append(", ").append(failure.language());
    }
    return sb.append(']').toString();
  }
}
