package dev.braid.gateway.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.model.Failure;
import java.time.Duration;

/**
 * Something that happened during a workflow run, in the order it happened. Progress views, {@code
 * --json} event lines and Chrome traces are all built from these.
 *
 * @param type what happened
 * @param atNanos when, in nanoseconds since the run started (monotonic)
 * @param step the step instance: its id ({@code profile}, {@code fanout.a}), with the item index
 *     for the bodies of {@code for_each} and {@code stream} ({@code prices.do[3]}); this is also
 *     the step path a run's journal keys its outcome by; null for run events
 * @param kind the step's kind: {@code call}, {@code parallel}, {@code for_each}, {@code try},
 *     {@code switch}, {@code stream}, {@code script}; null for run events
 * @param function for calls and streams: the function reference, else null
 * @param language for calls and streams: {@code python}, {@code node} or {@code java}, else null
 * @param attempt for attempt and retry events: the attempt number, from 1; else 0
 * @param status for {@code *_FINISHED} events: how it ended; else null
 * @param failure for {@code FAILED} and {@code CANCELLED}: the failure record; for a step that
 *     {@code on_error} recovered ({@code STEP_FINISHED} with {@code OK}): the failure it recovered
 *     from; for {@code RETRY_SCHEDULED}: the failure of the attempt that will be retried; else null
 * @param retryWait for {@code RETRY_SCHEDULED}: the wait before the next attempt; else null
 * @param value for {@code RUN_FINISHED} with {@code OK}: the run's result; else null
 * @param replayed true for the events of a step instance whose outcome a resumed run fed back from
 *     its journal instead of running it again (docs/durability.md); such events are shown, not
 *     journaled again
 * @param item for {@code STEP_STARTED} of a step instance inside an item of a {@code for_each},
 *     {@code stream} or {@code loop} (at any depth below it, up to the next such item): which item
 *     of which step instance; else null. Views count a loop's progress by it; the journal does not
 *     keep it.
 */
public record RunEvent(
    Type type,
    long atNanos,
    String step,
    String kind,
    String function,
    String language,
    int attempt,
    Status status,
    Failure failure,
    Duration retryWait,
    JsonNode value,
    boolean replayed,
    Item item) {

  /**
   * Item {@code index} (from 0) of the step instance {@code parent}, one of {@code count} items:
   * the number of items of a {@code for_each}, the {@code max_iterations} of a {@code loop}, -1
   * when not known (a {@code stream}).
   */
  public record Item(String parent, int index, int count) {}

  /** An event without {@link #item()}. */
  public RunEvent(
      Type type,
      long atNanos,
      String step,
      String kind,
      String function,
      String language,
      int attempt,
      Status status,
      Failure failure,
      Duration retryWait,
      JsonNode value,
      boolean replayed) {
    this(
        type, atNanos, step, kind, function, language, attempt, status, failure, retryWait, value,
        replayed, null);
  }

  /** An event of work that ran in this life of the run (not {@link #replayed()}). */
  public RunEvent(
      Type type,
      long atNanos,
      String step,
      String kind,
      String function,
      String language,
      int attempt,
      Status status,
      Failure failure,
      Duration retryWait,
      JsonNode value) {
    this(
        type, atNanos, step, kind, function, language, attempt, status, failure, retryWait, value,
        false);
  }

  /** What happened. */
  public enum Type {
    RUN_STARTED,
    STEP_STARTED,
    /** One call of a function: the attempt of a {@code call}, or the generator of a stream. */
    ATTEMPT_STARTED,
    ATTEMPT_FINISHED,
    /** An attempt failed and another will start after {@link RunEvent#retryWait()}. */
    RETRY_SCHEDULED,
    STEP_FINISHED,
    RUN_FINISHED
  }

  /** How a step, an attempt or the run ended. */
  public enum Status {
    OK,
    FAILED,
    CANCELLED,
    /**
     * The step's {@code if} was false; its result is null. A skipped step has a {@code
     * STEP_FINISHED} event only, no {@code STEP_STARTED}.
     */
    SKIPPED
  }
}
