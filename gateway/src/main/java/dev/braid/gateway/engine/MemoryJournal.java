package dev.braid.gateway.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * {@link RunJournal#memory}: nothing outlives the process. Signals are held in memory and handed
 * out in order, so a run without a store can still wait for one ({@link #signal}).
 */
public final class MemoryJournal implements RunJournal {
  private final String runId;
  // guarded by this: signals are delivered from other threads
  private final Map<String, Queue<JsonNode>> signals = new HashMap<>();
  private final Map<String, Queue<CompletableFuture<JsonNode>>> waiters = new HashMap<>();
  private int pending;

  /** At most this many signals wait for a step in one run; more are refused. */
  public static final int MAX_PENDING_SIGNALS = 1_000;

  public MemoryJournal(String runId) {
    this.runId = runId;
  }

  @Override
  public String runId() {
    return runId;
  }

  @Override
  public Optional<StepOutcome> recorded(String path) {
    return Optional.empty();
  }

  @Override
  public int lastAttempt(String path) {
    return 0;
  }

  @Override
  public CompletableFuture<Void> attemptStarting(String path, int attempt) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void settled(String path, StepOutcome outcome) {}

  @Override
  public long instant(String key, long fresh) {
    return fresh;
  }

  @Override
  public synchronized CompletableFuture<JsonNode> nextSignal(String name, String path) {
    JsonNode ready = signals.getOrDefault(name, new ArrayDeque<>()).poll();
    if (ready != null) {
      pending--;
      return CompletableFuture.completedFuture(ready);
    }
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    Queue<CompletableFuture<JsonNode>> q = waiters.computeIfAbsent(name, n -> new ArrayDeque<>());
    // steps that gave up (timeouts in a loop) must not pile up while no signal comes
    q.removeIf(CompletableFuture::isDone);
    q.add(f);
    return f;
  }

  /**
   * Delivers a signal: to the oldest waiter that has not given up, else kept for the next {@code
   * signal} step of that name. Thread-safe; the waiter's step continues on its run thread.
   *
   * @throws IllegalStateException when {@value #MAX_PENDING_SIGNALS} signals wait for a step
   *     already: a run that never consumes them must not grow without bound
   */
  public void signal(String name, JsonNode payload) {
    JsonNode value = payload == null ? NullNode.getInstance() : payload;
    while (true) {
      CompletableFuture<JsonNode> w;
      synchronized (this) {
        Queue<CompletableFuture<JsonNode>> q = waiters.getOrDefault(name, new ArrayDeque<>());
        do {
          w = q.poll();
        } while (w != null && w.isDone());
        if (w == null) {
          if (pending >= MAX_PENDING_SIGNALS) {
            throw new IllegalStateException(
                "run "
                    + runId
                    + " has "
                    + pending
                    + " signals no step has taken yet, the limit: signal '"
                    + name
                    + "' was refused");
          }
          signals.computeIfAbsent(name, n -> new ArrayDeque<>()).add(value);
          pending++;
          return;
        }
      }
      // complete() outside the lock: it runs the step's continuation. It fails only if the step
      // gave up (cancel, timeout) since the poll: then the signal goes to the next waiter.
      if (w.complete(value)) {
        return;
      }
    }
  }

  @Override
  public void event(RunEvent event) {}

  @Override
  public CompletableFuture<Void> finished(StepOutcome outcome, boolean cancelled) {
    return CompletableFuture.completedFuture(null);
  }
}
