package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import dev.braid.gateway.workflow.FunctionCatalog;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.gateway.workflow.WorkflowChecker;
import dev.braid.model.FailureCode;
import dev.braid.model.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wait} and {@code signal} steps on a {@link ManualClock}: time moves only when the test
 * says so, and the engine's wall clock follows it. The bounded waits below are only for the run's
 * thread to catch up.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WaitSignalTest {
  private static final long WAIT_S = 20;
  private static final long WALL_START = Instant.parse("2026-12-05T12:00:00Z").toEpochMilli();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ManualClock clock = new ManualClock();
  private final long clockStart = clock.nanoTime();
  private final InstantSource wall =
      () -> Instant.ofEpochMilli(WALL_START + (clock.nanoTime() - clockStart) / 1_000_000);
  private final List<RunEvent> events = new CopyOnWriteArrayList<>();
  private Braid braid;
  private WorkflowEngine engine;
  @TempDir Path dir;

  @BeforeEach
  void start() {
    braid = Braid.start(BraidConfig.builder().build(), clock);
    engine = new WorkflowEngine(braid, null, new Random(7)).wallClock(wall);
  }

  @AfterEach
  void stop() {
    engine.close();
    braid.close();
  }

  private Workflow workflow(String yaml) throws Exception {
    Path file = Files.createTempFile(dir, "flow", ".yaml");
    Files.writeString(file, yaml);
    ParsedWorkflow parsed = ParsedWorkflow.read(file);
    assertThat(new WorkflowChecker(FunctionCatalog.acceptingAll()).check(parsed, null)).isEmpty();
    return parsed.workflow();
  }

  private WorkflowRun run(String yaml, RunJournal journal, Object... input) throws Exception {
    ObjectNode in = JSON.createObjectNode();
    for (int i = 0; i < input.length; i += 2) {
      in.set((String) input[i], JSON.valueToTree(input[i + 1]));
    }
    return engine.start(workflow(yaml), in, events::add, journal);
  }

  private WorkflowRun run(String yaml, Object... input) throws Exception {
    return run(yaml, RunJournal.memory("run-1"), input);
  }

  private static void until(String what, BooleanSupplier done) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited for: %s", what).isLessThan(end);
      Thread.sleep(2);
    }
  }

  /** Waits until a timer of exactly {@code delay} is armed on the clock. */
  private void armed(Duration delay) throws InterruptedException {
    until(
        "a timer of " + delay + " (armed: " + clock.pendingDelays() + ")",
        () -> clock.pendingDelays().contains(delay));
  }

  private void started(String step) throws InterruptedException {
    until(
        "step " + step + " started",
        () ->
            events.stream()
                .anyMatch(e -> e.type() == RunEvent.Type.STEP_STARTED && step.equals(e.step())));
  }

  private static JsonNode result(WorkflowRun run) throws Exception {
    return run.result().get(WAIT_S, TimeUnit.SECONDS);
  }

  private static StepFailedException failure(WorkflowRun run) throws Exception {
    try {
      run.result().get(WAIT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StepFailedException.class);
      return (StepFailedException) e.getCause();
    }
    throw new AssertionError("the run should have failed");
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  // -- wait ----------------------------------------------------------------------------------

  @Test
  void aWaitWakesExactlyAtItsInstantAndJournalsIt() throws Exception {
    Instants journal = new Instants(Map.of());
    WorkflowRun run =
        run(
            """
            steps:
              w: { wait: 90s }
            output: done
            """,
            journal);
    armed(Duration.ofSeconds(90));
    assertThat(journal.recorded).containsEntry("wait:w", WALL_START + 90_000);

    clock.advance(Duration.ofMillis(89_999));
    Thread.sleep(20); // a wrong wake-up would have had time to show
    assertThat(run.result()).isNotDone();
    clock.advance(Duration.ofMillis(1));
    assertThat(result(run).asText()).isEqualTo("done");
  }

  @Test
  void manyConcurrentWaitsHoldNoThread() throws Exception {
    int n = 300;
    int before = Thread.activeCount();
    WorkflowRun run =
        run(
            """
            input: { items: { type: array } }
            steps:
              each:
                for_each: "${{ input.items }}"
                concurrency: 300
                do: { wait: 1h }
            output: "${{ steps.each }}"
            """,
            "items",
            java.util.stream.IntStream.range(0, n).boxed().toList());
    until(
        n + " timers armed",
        () ->
            clock.pendingDelays().stream().filter(d -> d.equals(Duration.ofHours(1))).count() == n);
    // one run thread, whatever the number of waits: a thread per wait would add 300 (the margin
    // is for unrelated threads of the JVM coming and going)
    assertThat(Thread.activeCount() - before).isLessThan(50);
    clock.advance(Duration.ofHours(1));
    JsonNode r = result(run);
    assertThat(r).hasSize(n);
    r.forEach(v -> assertThat(v.isNull()).isTrue());
  }

  @Test
  void aResumedRunWhoseWakeInstantPassedWakesAtOnce() throws Exception {
    Instants journal = new Instants(Map.of("wait:w", WALL_START - 1_000));
    WorkflowRun run = run("steps:\n  w: { wait: 1h }\noutput: woke\n", journal);
    // no time moves: the instant recorded by the run's earlier life is already past
    assertThat(result(run).asText()).isEqualTo("woke");
  }

  @Test
  void aResumedRunWakesAtTheOriginalInstantNotAFreshOne() throws Exception {
    Instants journal = new Instants(Map.of("wait:w", WALL_START + 5_000));
    WorkflowRun run = run("steps:\n  w: { wait: 1h }\noutput: woke\n", journal);
    armed(Duration.ofSeconds(5));
    clock.advance(Duration.ofSeconds(5));
    assertThat(result(run).asText()).isEqualTo("woke");
  }

  @Test
  void untilTakesAnIsoInstantOrEpochMillisFromAnExpression() throws Exception {
    String yaml =
        """
        input: { at: { type: any } }
        steps:
          w: { wait: { until: "${{ input.at }}" } }
        output: woke
        """;
    WorkflowRun iso = run(yaml, "at", "2026-12-05T13:00:30+01:00");
    armed(Duration.ofSeconds(30));
    clock.advance(Duration.ofSeconds(30));
    assertThat(result(iso).asText()).isEqualTo("woke");

    WorkflowRun ms = run(yaml, "at", WALL_START + 30_000 + 2_000);
    armed(Duration.ofSeconds(2));
    clock.advance(Duration.ofSeconds(2));
    assertThat(result(ms).asText()).isEqualTo("woke");

    StepFailedException bad = failure(run(yaml, "at", "tomorrow"));
    assertThat(bad.step()).isEqualTo("w");
    assertThat(bad.failure().code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(bad.failure().message()).contains("until: 'tomorrow' is not an ISO-8601 instant");
  }

  @Test
  void aStepTimeoutEndsAWaitAsDeadlineExceeded() throws Exception {
    WorkflowRun run = run("steps:\n  w: { wait: 1h, timeout: 2s }\n");
    armed(Duration.ofHours(1));
    clock.advance(Duration.ofSeconds(2));
    StepFailedException f = failure(run);
    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    assertThat(f.failure().message()).contains("timed out after 2s");
    until("the wait's timer released", () -> !clock.pendingDelays().contains(Duration.ofHours(1)));
  }

  @Test
  void cancellingDuringAWaitIsPromptAndReleasesTheTimer() throws Exception {
    WorkflowRun run = run("steps:\n  w: { wait: 1h }\n");
    armed(Duration.ofHours(1));
    run.cancel();
    StepFailedException f = failure(run);
    assertThat(f.isCancellation()).isTrue();
    until("the wait's timer released", () -> !clock.pendingDelays().contains(Duration.ofHours(1)));
  }

  // -- signal --------------------------------------------------------------------------------

  @Test
  void aSignalSentBeforeTheStepIsKeptForIt() throws Exception {
    WorkflowRun run =
        run(
            """
            steps:
              w: { wait: 10s }
              ok: { signal: approve, needs: w }
            output: "${{ steps.ok }}"
            """);
    run.signal("approve", json("{\"ok\": true}"));
    armed(Duration.ofSeconds(10));
    clock.advance(Duration.ofSeconds(10));
    assertThat(result(run)).isEqualTo(json("{\"ok\": true}"));
  }

  @Test
  void aWaitingStepGetsTheSignalAndEachSignalGoesToOneStep() throws Exception {
    WorkflowRun run =
        run(
            """
            steps:
              first: { signal: approve }
              second: { signal: { name: approve }, needs: first }
            output: { first: "${{ steps.first }}", second: "${{ steps.second }}" }
            """);
    started("first");
    run.signal("approve", json("1"));
    started("second");
    assertThat(run.result()).isNotDone();
    run.signal("approve", json("2"));
    assertThat(result(run)).isEqualTo(json("{\"first\": 1, \"second\": 2}"));
  }

  @Test
  void concurrentSignalStepsOfOneNameEachTakeOneSignalInOrder() throws Exception {
    WorkflowRun run =
        run(
            """
            steps:
              each:
                for_each: [a, b, c]
                concurrency: 3
                do: { signal: vote }
            output: "${{ steps.each }}"
            """);
    until(
        "three signal steps started",
        () ->
            events.stream()
                    .filter(
                        e -> e.type() == RunEvent.Type.STEP_STARTED && "signal".equals(e.kind()))
                    .count()
                == 3);
    for (int i = 1; i <= 3; i++) {
      run.signal("vote", json(String.valueOf(i)));
    }
    assertThat(result(run)).isEqualTo(json("[1, 2, 3]"));
  }

  @Test
  void theRunTimeoutEndsASignalWait() throws Exception {
    WorkflowRun run = run("timeout: 5s\nsteps:\n  s: { signal: approve }\n");
    started("s");
    clock.advance(Duration.ofSeconds(5));
    StepFailedException f = failure(run);
    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    assertThat(f.failure().message()).contains("the run's timeout 5s expired");
  }

  @Test
  void aSkippedSignalStepTakesNoSignal() throws Exception {
    MemoryJournal journal = new MemoryJournal("run-1");
    WorkflowRun run =
        run(
            """
            steps:
              skipped: { signal: approve, if: false }
              taken: { signal: approve, needs: skipped }
            output: "${{ steps.taken }}"
            """,
            journal);
    run.signal("approve", json("\"only\""));
    assertThat(result(run).asText()).isEqualTo("only");
  }

  @Test
  void onErrorGivesASignalTimeoutADefault() throws Exception {
    WorkflowRun run =
        run(
            """
            steps:
              s: { signal: { name: approve, timeout: 10m }, on_error: { value: { ok: false } } }
            output: "${{ steps.s }}"
            """);
    armed(Duration.ofMinutes(10));
    clock.advance(Duration.ofMinutes(10));
    assertThat(result(run)).isEqualTo(json("{\"ok\": false}"));
  }

  @Test
  void aSignalTimeoutFailsCatchablyAsDeadlineExceeded() throws Exception {
    Instants journal = new Instants(Map.of());
    WorkflowRun run =
        run(
            """
            steps:
              t:
                try:
                  steps:
                    s: { signal: { name: approve, timeout: 1h } }
                catch:
                  steps:
                    c: { wait: 1s }
                  output: "${{ error.code }}: ${{ error.message }}"
            output: "${{ steps.t }}"
            """,
            journal);
    armed(Duration.ofHours(1));
    assertThat(journal.recorded).containsEntry("signal:s", WALL_START + 3_600_000);
    clock.advance(Duration.ofHours(1));
    armed(Duration.ofSeconds(1));
    clock.advance(Duration.ofSeconds(1));
    assertThat(result(run).asText())
        .isEqualTo("DEADLINE_EXCEEDED: no signal 'approve' arrived within 1h");
  }

  @Test
  void aResumedSignalStepKeepsItsFirstDeadline() throws Exception {
    Instants journal = new Instants(Map.of("signal:s", WALL_START - 1));
    WorkflowRun run = run("steps:\n  s: { signal: { name: go, timeout: 1h } }\n", journal);
    StepFailedException f = failure(run);
    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
  }

  @Test
  void cancellingDuringASignalIsPromptAndLeavesTheSignalForOthers() throws Exception {
    MemoryJournal journal = new MemoryJournal("run-1");
    WorkflowRun run = run("steps:\n  s: { signal: approve }\n", journal);
    started("s");
    run.cancel();
    assertThat(failure(run).isCancellation()).isTrue();
    // the cancelled step gave up its place: a later signal is kept, not lost to it
    journal.signal("approve", json("7"));
    assertThat(journal.nextSignal("approve", "other").get(1, TimeUnit.SECONDS))
        .isEqualTo(json("7"));
  }

  @Test
  void aJournalThatGivesUpTheWaitEndsTheStep() throws Exception {
    CompletableFuture<JsonNode> handedOut = new CompletableFuture<>();
    Instants journal =
        new Instants(Map.of()) {
          @Override
          public CompletableFuture<JsonNode> nextSignal(String name, String path) {
            return handedOut;
          }
        };
    WorkflowRun run = run("steps:\n  s: { signal: approve }\n", journal);
    started("s");
    handedOut.cancel(false); // e.g. a store closing: the step must not hang
    StepFailedException f = failure(run);
    assertThat(f.failure().code()).isEqualTo(FailureCode.CANCELLED);
    assertThat(f.failure().message()).contains("gave up the wait for signal 'approve'");
  }

  @Test
  void theMemoryJournalBoundsPendingSignals() {
    MemoryJournal journal = new MemoryJournal("run-9");
    for (int i = 0; i < MemoryJournal.MAX_PENDING_SIGNALS; i++) {
      journal.signal("s", JSON.getNodeFactory().numberNode(i));
    }
    assertThatThrownBy(() -> journal.signal("s", JSON.getNodeFactory().numberNode(-1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("run run-9 has 1000 signals no step has taken yet");
    // taking one makes room for one
    assertThat(journal.nextSignal("s", "p"))
        .isCompletedWithValue(JSON.getNodeFactory().numberNode(0));
    journal.signal("s", JSON.getNodeFactory().numberNode(1000));
  }

  @Test
  void aSignalSkipsWaitersThatGaveUp() throws Exception {
    MemoryJournal journal = new MemoryJournal("run-1");
    CompletableFuture<JsonNode> gaveUp = journal.nextSignal("s", "a");
    CompletableFuture<JsonNode> waiting = journal.nextSignal("s", "b");
    gaveUp.cancel(false);
    journal.signal("s", json("3"));
    assertThat(waiting).isCompletedWithValue(json("3"));
  }

  @Test
  void aStoreRunIsSignalledThroughItsStore() throws Exception {
    WorkflowRun run = run("steps:\n  s: { signal: approve }\n", new Instants(Map.of()));
    assertThatThrownBy(() -> run.signal("approve", json("1")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("signal it through the store");
    run.cancel();
    failure(run);
  }

  /**
   * A journal as a store's looks to the engine after a restart: instants an earlier life of the run
   * recorded (given), plus those this life records; signals kept in memory.
   */
  static class Instants implements RunJournal {
    final Map<String, Long> recorded = new ConcurrentHashMap<>();
    private final MemoryJournal memory = new MemoryJournal("run-s");

    Instants(Map<String, Long> earlier) {
      recorded.putAll(earlier);
    }

    @Override
    public String runId() {
      return memory.runId();
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
      return recorded.computeIfAbsent(key, k -> fresh);
    }

    @Override
    public CompletableFuture<JsonNode> nextSignal(String name, String path) {
      return memory.nextSignal(name, path);
    }

    @Override
    public void event(RunEvent event) {}

    @Override
    public CompletableFuture<Void> finished(StepOutcome outcome, boolean cancelled) {
      return CompletableFuture.completedFuture(null);
    }
  }
}
