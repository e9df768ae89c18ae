package dev.braid.gateway.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What one run remembers across the death of its gateway (docs/durability.md). The engine asks it
 * before each step and tells it after; a durable implementation lives in {@code
 * dev.braid.gateway.store}, {@link #memory} keeps nothing beyond the process.
 *
 * <p>Step instances are named by a stable <em>path</em>: the step ids from the top, with loop item
 * indexes and branch names ({@code fetch}, {@code items[17].charge}, {@code race.b}) — the same
 * names the run's events carry. Recovery replays the run's saved definition on its saved input: a
 * path with a recorded outcome is not run again (the outcome is fed back), a call whose attempt was
 * started but not settled runs again with the next attempt number and the same idempotency key
 * ({@code runId/path}).
 *
 * <p>Called on the run's thread only, except {@link #runId}. Methods may throw {@link
 * JournalException} (a budget, fencing, the store); the engine then fails the run with it.
 */
public interface RunJournal {
  /** The run's id; with a step path it makes the step's idempotency key. */
  String runId();

  /** The outcome an earlier life of this run recorded for {@code path}, if any. */
  Optional<StepOutcome> recorded(String path);

  /** The highest attempt number an earlier life started for the call at {@code path}; 0 if none. */
  int lastAttempt(String path);

  /**
   * Records that attempt {@code attempt} of the call at {@code path} is about to be sent. The
   * engine sends it only once the future completes, so that a crash can never hide an attempt a
   * worker saw (write-ahead of the side effect). Fails with a {@link JournalException}.
   */
  CompletableFuture<Void> attemptStarting(String path, int attempt);

  /**
   * Records how the step at {@code path} settled, with the events before it, in one transaction
   * (batched with other writes: no wait). Not called for steps cancelled from outside them: those
   * are consequences, replayed as such.
   */
  void settled(String path, StepOutcome outcome);

  /**
   * An absolute instant (epoch milliseconds) the engine chose under {@code key}: a wait's wake-up,
   * a retry's next attempt, the run's deadline. Returns the instant an earlier life recorded, else
   * records and returns {@code fresh}.
   */
  long instant(String key, long fresh);

  /**
   * The payload of the next signal named {@code name}, for the {@code signal} step at {@code path}:
   * completes at once when one was delivered and not yet consumed, else when one arrives. The
   * signal counts as consumed when the step's outcome is recorded ({@link #settled}), so a signal
   * is delivered once even across a crash. Cancelling the future gives up the wait.
   */
  CompletableFuture<JsonNode> nextSignal(String name, String path);

  /** An event of the run, appended to its stored event stream in order (batched). */
  void event(RunEvent event);

  /**
   * The run is over with {@code outcome}; {@code cancelled} marks a cancellation, which is final (a
   * cancelled run is never resumed). Completes when that is durable.
   */
  CompletableFuture<Void> finished(StepOutcome outcome, boolean cancelled);

  /**
   * A journal that remembers nothing: runs as before durability (tests, {@code --store memory}).
   */
  static RunJournal memory(String runId) {
    return new MemoryJournal(runId);
  }
}
