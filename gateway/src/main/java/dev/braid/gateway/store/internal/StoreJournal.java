package dev.braid.gateway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.JournalException;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.gateway.store.StoreConfig.Budgets;
import dev.braid.gateway.store.internal.GroupCommitter.Fence;
import dev.braid.gateway.store.internal.GroupCommitter.Stmt;
import dev.braid.gateway.store.internal.GroupCommitter.Write;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link RunJournal} of one run in a {@link JdbcRunStore}. What earlier lives recorded
 * (outcomes, attempts, instants, unconsumed signals) is loaded at claim, so the engine's questions
 * cost no query. Writes go to the store's {@link GroupCommitter}: events are buffered and go with
 * the next write of the run (a settled step, an attempt, an instant, a signal wait, the end) or
 * every {@link #EVENT_FLUSH} events; only {@link #attemptStarting} and {@link #finished} wait for
 * durability.
 *
 * <p>Run-thread methods as in {@link RunJournal}; {@link #deliver} may come from any thread. Once a
 * write fails (fenced, the store failed or closed) every later call fails with that error.
 */
final class StoreJournal implements RunJournal {
  static final int EVENT_FLUSH = 64;

  private static final String UPSERT_ATTEMPT =
      "INSERT INTO step_result (run_id, step_path, seq_no, attempt) VALUES (?, ?, ?, ?)"
          + " ON CONFLICT (run_id, step_path) DO UPDATE SET attempt = excluded.attempt";
  private static final String UPSERT_OUTCOME =
      "INSERT INTO step_result (run_id, step_path, seq_no, attempt, outcome, recorded_at)"
          + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, step_path) DO UPDATE SET"
          + " outcome = excluded.outcome, recorded_at = excluded.recorded_at";
  private static final String INSERT_EVENT =
      "INSERT INTO run_event (run_id, seq, type, body) VALUES (?, ?, ?, ?)";
  private static final String INSERT_INSTANT =
      "INSERT INTO run_instant (run_id, name, at_ms) VALUES (?, ?, ?)"
          + " ON CONFLICT (run_id, name) DO NOTHING";
  private static final String CONSUME_SIGNAL =
      "UPDATE signal SET consumed_by_path = ? WHERE run_id = ? AND id = ?";
  private static final String FINISH =
      "UPDATE run SET status = ?, finished = ?, result = ?, failure = ?, owner = NULL"
          + " WHERE run_id = ? AND owner_epoch = ?";

  /** What an earlier life left, read at claim. */
  record Loaded(
      Map<String, StepOutcome> outcomes,
      Map<String, Integer> attempts,
      Map<String, Long> instants,
      List<Signal> signals,
      long steps,
      long events,
      long bytes) {}

  /** A journaled, not yet consumed signal. */
  record Signal(long id, String name, JsonNode payload) {}

  private record Waiter(String path, CompletableFuture<JsonNode> future) {}

  private final JdbcRunStore store;
  private final Fence fence;
  private final Budgets budgets;

  // the run thread's state
  private final Map<String, StepOutcome> outcomes = new HashMap<>();
  private final Map<String, Integer> attempts = new HashMap<>();
  private final Map<String, Long> instants = new HashMap<>();
  private final Set<String> rows = new HashSet<>();
  private final List<Stmt> buffered = new ArrayList<>();
  private long nextStepNo;
  private long nextSeq;
  private long bytes;

  // signals: delivered from other threads, guarded by this
  private final Set<Long> knownSignals = new HashSet<>();
  private final Map<String, Queue<Signal>> available = new HashMap<>();
  private final Map<String, Queue<Waiter>> waiters = new HashMap<>();
  private final Map<String, Long> taken = new HashMap<>();

  private volatile JournalException broken;

  StoreJournal(JdbcRunStore store, Fence fence, Budgets budgets) {
    this.store = store;
    this.fence = fence;
    this.budgets = budgets;
  }

  /**
   * Takes in what earlier lives recorded; called once, by the claiming thread, before the run
   * starts. Signals may already have been delivered: each is kept once.
   */
  void restore(Loaded loaded) {
    outcomes.putAll(loaded.outcomes());
    attempts.putAll(loaded.attempts());
    instants.putAll(loaded.instants());
    rows.addAll(loaded.attempts().keySet());
    nextStepNo = loaded.steps();
    nextSeq = loaded.events();
    bytes = loaded.bytes();
    for (Signal s : loaded.signals()) {
      deliver(s);
    }
  }

  Fence fence() {
    return fence;
  }

  @Override
  public String runId() {
    return fence.runId();
  }

  @Override
  public Optional<StepOutcome> recorded(String path) {
    return Optional.ofNullable(outcomes.get(path));
  }

  @Override
  public int lastAttempt(String path) {
    return attempts.getOrDefault(path, 0);
  }

  @Override
  public CompletableFuture<Void> attemptStarting(String path, int attempt) {
    JournalException b = broken;
    if (b != null) {
      return CompletableFuture.failedFuture(b);
    }
    attempts.put(path, attempt);
    List<Stmt> s = drain();
    s.add(Stmt.of(UPSERT_ATTEMPT, runId(), path, stepNo(path), attempt));
    return submit(s, false);
  }

  @Override
  public void settled(String path, StepOutcome outcome) {
    check();
    String text = Codec.outcome(outcome);
    long size = utf8(text);
    if (size > budgets.maxOutcomeBytes()) {
      throw exhausted(
          "the outcome of step "
              + path
              + " is "
              + size
              + " bytes, over the budget of "
              + budgets.maxOutcomeBytes()
              + " bytes (maxOutcomeBytes)");
    }
    addBytes(size);
    outcomes.put(path, outcome);
    List<Stmt> s = drain();
    s.add(
        Stmt.of(
            UPSERT_OUTCOME,
            runId(),
            path,
            stepNo(path),
            attempts.getOrDefault(path, 0),
            text,
            store.now()));
    Long signal;
    synchronized (this) {
      signal = taken.remove(path);
    }
    if (signal != null) {
      s.add(Stmt.of(CONSUME_SIGNAL, path, runId(), signal));
    }
    submit(s);
  }

  @Override
  public long instant(String key, long fresh) {
    check();
    Long known = instants.get(key);
    if (known != null) {
      return known;
    }
    instants.put(key, fresh);
    List<Stmt> s = drain();
    s.add(Stmt.of(INSERT_INSTANT, runId(), key, fresh));
    submit(s);
    return fresh;
  }

  @Override
  public CompletableFuture<JsonNode> nextSignal(String name, String path) {
    check();
    if (!buffered.isEmpty()) {
      // a signal may take long: what led up to the wait is stored now
      submit(drain());
    }
    synchronized (this) {
      Queue<Signal> q = available.get(name);
      Signal s = q == null ? null : q.poll();
      if (s != null) {
        taken.put(path, s.id());
        return CompletableFuture.completedFuture(s.payload());
      }
      CompletableFuture<JsonNode> f = new CompletableFuture<>();
      waiters.computeIfAbsent(name, n -> new ArrayDeque<>()).add(new Waiter(path, f));
      return f;
    }
  }

  /** Hands a journaled signal to the oldest waiter that has not given up, else keeps it. */
  void deliver(Signal s) {
    Waiter w;
    synchronized (this) {
      if (!knownSignals.add(s.id())) {
        return;
      }
      Queue<Waiter> q = waiters.get(s.name());
      do {
        w = q == null ? null : q.poll();
      } while (w != null && w.future().isDone());
      if (w == null) {
        available.computeIfAbsent(s.name(), n -> new ArrayDeque<>()).add(s);
        return;
      }
      taken.put(w.path(), s.id());
    }
    w.future().complete(s.payload());
  }

  @Override
  public void event(RunEvent event) {
    check();
    if (nextSeq + 1 > budgets.maxEvents()) {
      throw exhausted(
          "run " + runId() + " went over its budget of " + budgets.maxEvents() + " events");
    }
    String body = Codec.event(event);
    addBytes(utf8(body));
    buffered.add(Stmt.of(INSERT_EVENT, runId(), nextSeq++, event.type().name(), body));
    if (buffered.size() >= EVENT_FLUSH) {
      submit(drain());
    }
  }

  @Override
  public CompletableFuture<Void> finished(StepOutcome outcome, boolean cancelled) {
    JournalException b = broken;
    if (b != null) {
      store.forget(this);
      return CompletableFuture.failedFuture(b);
    }
    String status = cancelled ? "CANCELLED" : outcome.isOk() ? "SUCCEEDED" : "FAILED";
    String result = outcome.isOk() ? Codec.write(outcome.value()) : null;
    Failure failure = outcome.failure();
    JournalException over = null;
    if (result != null && utf8(result) > budgets.maxOutcomeBytes()) {
      // the run ends failed, never wedged: its result is what does not fit
      over =
          exhausted(
              "the result of run "
                  + runId()
                  + " is over the budget of "
                  + budgets.maxOutcomeBytes()
                  + " bytes (maxOutcomeBytes)");
      status = "FAILED";
      result = null;
      failure = Failure.of(FailureCode.RESOURCE_EXHAUSTED, "BudgetExceeded", over.getMessage());
    }
    List<Stmt> s = drain();
    s.add(
        Stmt.of(
            FINISH, status, store.now(), result, Codec.failure(failure), runId(), fence.epoch()));
    JournalException overBudget = over;
    return submit(s, false)
        .whenComplete((v, e) -> store.forget(this))
        .thenCompose(
            v ->
                overBudget == null
                    ? CompletableFuture.<Void>completedFuture(null)
                    : CompletableFuture.<Void>failedFuture(overBudget));
  }

  /** Fails every later call: the store was closed under the run. */
  void closed(JournalException why) {
    if (broken == null) {
      broken = why;
    }
  }

  /** A write nobody waits for: committed with the run's next waited write, or within a linger. */
  private CompletableFuture<Void> submit(List<Stmt> stmts) {
    return submit(stmts, true);
  }

  private CompletableFuture<Void> submit(List<Stmt> stmts, boolean lazy) {
    Write w = new Write(fence, nextSeq, bytes, stmts);
    GroupCommitter c = store.committer();
    return (lazy ? c.submitLazily(w) : c.submit(w))
        .whenComplete(
            (v, e) -> {
              if (e != null && broken == null) {
                broken =
                    e instanceof JournalException j
                        ? j
                        : new JournalException(FailureCode.UNAVAILABLE, e.getMessage(), e);
              }
            });
  }

  private List<Stmt> drain() {
    List<Stmt> s = new ArrayList<>(buffered);
    buffered.clear();
    return s;
  }

  private long stepNo(String path) {
    if (rows.add(path)) {
      return nextStepNo++;
    }
    // an existing row keeps its number: the upsert does not touch seq_no
    return -1;
  }

  private void addBytes(long n) {
    if (bytes + n > budgets.maxBytes()) {
      throw exhausted(
          "run "
              + runId()
              + " went over its budget of "
              + budgets.maxBytes()
              + " bytes of events and outcomes (maxBytes)");
    }
    bytes += n;
  }

  private void check() {
    JournalException b = broken;
    if (b != null) {
      throw b;
    }
  }

  private static JournalException exhausted(String message) {
    return new JournalException(FailureCode.RESOURCE_EXHAUSTED, message);
  }

  private static long utf8(String s) {
    // ASCII is the common case: avoid encoding to count
    int n = s.length();
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        return s.getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return n;
  }
}
