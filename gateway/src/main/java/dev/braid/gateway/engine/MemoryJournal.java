package dev.braid.gateway.engine;

import com.fasterxml.jackson.databind.JsonNode;
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
      return CompletableFuture.completedFuture(ready);
    }
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    waiters.computeIfAbsent(name, n -> new ArrayDeque<>()).add(f);
    return f;
  }

  /** Delivers a signal: to the oldest waiter that has not given up, else kept for the next one. */
  public void signal(String name, JsonNode payload) {
    CompletableFuture<JsonNode> w;
    synchronized (this) {
      Queue<CompletableFuture<JsonNode>> q = waiters.getOrDefault(name, new ArrayDeque<>());
      do {
        w = q.poll();
      } while (w != null && w.isDone());
      if (w == null) {
        signals.computeIfAbsent(name, n -> new ArrayDeque<>()).add(payload);
        return;
      }
    }
    w.complete(payload);
  }

  @Override
  public void event(RunEvent event) {}

  @Override
  public CompletableFuture<Void> finished(StepOutcome outcome, boolean cancelled) {
    return CompletableFuture.completedFuture(null);
  }
}
