package dev.braid.gateway.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.model.FailureCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link RunJournal} in memory that remembers like a store would: {@link #nextLife} is the
 * journal a new life of the run finds after the process died at that moment. Also records what the
 * engine asked of it, in order, and can be told to fail. Thread-safe (the test reads while the run
 * writes).
 */
final class RecordingJournal implements RunJournal {
  private final String runId;
  private final Map<String, StepOutcome> outcomes = new HashMap<>();
  private final Map<String, Integer> attempts = new HashMap<>();
  private final Map<String, Long> instants = new HashMap<>();
  private final MemoryJournal signals;

  /** This life's writes, in order: {@code settled:PATH}, {@code attempt:PATH#N}. */
  final List<String> writes = new CopyOnWriteArrayList<>();

  /** This life's journaled events. */
  final List<RunEvent> events = new CopyOnWriteArrayList<>();

  /** When set, every write-ahead of an attempt fails with it (the store is down, say). */
  volatile JournalException failAttempts;

  /** When set, journaling an event fails with it. */
  volatile JournalException failEvents;

  /** Paths whose settling fails with {@link #failure} (a budget, say). */
  final List<String> failSettled = new CopyOnWriteArrayList<>();

  volatile JournalException failure =
      new JournalException(FailureCode.RESOURCE_EXHAUSTED, "the run's budget of 1 step is spent");

  /** Set by {@link #finished}: the run's end, and whether it was a cancel. */
  volatile StepOutcome finished;

  volatile boolean finishedCancelled;

  /** What {@link #finished} returns; the test may hold it back. */
  volatile CompletableFuture<Void> finishedAck = CompletableFuture.completedFuture(null);

  RecordingJournal(String runId) {
    this.runId = runId;
    this.signals = new MemoryJournal(runId);
  }

  /** The journal a new life of the run finds: what this one recorded, and nothing else. */
  synchronized RecordingJournal nextLife() {
    RecordingJournal j = new RecordingJournal(runId);
    j.outcomes.putAll(outcomes);
    j.attempts.putAll(attempts);
    j.instants.putAll(instants);
    return j;
  }

  synchronized RecordingJournal record(String path, StepOutcome o) {
    outcomes.put(path, o);
    return this;
  }

  synchronized RecordingJournal attempted(String path, int attempt) {
    attempts.put(path, attempt);
    return this;
  }

  synchronized RecordingJournal instantAt(String key, long at) {
    instants.put(key, at);
    return this;
  }

  synchronized Map<String, StepOutcome> outcomes() {
    return Map.copyOf(outcomes);
  }

  synchronized Map<String, Long> instants() {
    return Map.copyOf(instants);
  }

  synchronized List<String> attemptWrites(String path) {
    List<String> out = new ArrayList<>();
    for (String w : writes) {
      if (w.startsWith("attempt:" + path + "#")) {
        out.add(w);
      }
    }
    return out;
  }

  @Override
  public String runId() {
    return runId;
  }

  @Override
  public synchronized Optional<StepOutcome> recorded(String path) {
    return Optional.ofNullable(outcomes.get(path));
  }

  @Override
  public synchronized int lastAttempt(String path) {
    return attempts.getOrDefault(path, 0);
  }

  @Override
  public synchronized CompletableFuture<Void> attemptStarting(String path, int attempt) {
    if (failAttempts != null) {
      return CompletableFuture.failedFuture(failAttempts);
    }
    writes.add("attempt:" + path + "#" + attempt);
    attempts.put(path, attempt);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized void settled(String path, StepOutcome outcome) {
    if (failSettled.contains(path)) {
      throw failure;
    }
    writes.add("settled:" + path);
    outcomes.put(path, outcome);
  }

  @Override
  public synchronized long instant(String key, long fresh) {
    return instants.computeIfAbsent(key, k -> fresh);
  }

  @Override
  public CompletableFuture<JsonNode> nextSignal(String name, String path) {
    return signals.nextSignal(name, path);
  }

  @Override
  public void event(RunEvent event) {
    if (failEvents != null) {
      throw failEvents;
    }
    events.add(event);
  }

  @Override
  public CompletableFuture<Void> finished(StepOutcome outcome, boolean cancelled) {
    finishedCancelled = cancelled;
    finished = outcome;
    return finishedAck;
  }
}
