package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import dev.braid.gateway.workflow.FunctionCatalog;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.gateway.workflow.WorkflowChecker;
import dev.braid.model.CancelReason;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay (docs/durability.md): a run is "killed" in its first life while one call is in flight (the
 * journal it leaves is what a store would hold at that moment, {@link RecordingJournal#nextLife}),
 * and resumed on that journal. For each construct: completed steps are not executed again (their
 * calls are counted), the in-flight call runs again with the next attempt number, and the result
 * equals a fresh run's. Then the absolute instants (retry backoff, the run's deadline), shutdown
 * versus cancel, and journal failures. In-process Java functions ({@link Replays}); waits are
 * bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplayTest {
  private static final String STEP = "java:dev.braid.gateway.engine.Replays#step";
  private static final String BOOM = "java:dev.braid.gateway.engine.Replays#boom";
  private static final String NUMBERS = "java:dev.braid.gateway.engine.Replays#numbers";
  private static final long WAIT_S = 20;
  private static final long T0 = 1_700_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FakeClock clock = new FakeClock();
  private final AtomicLong wall = new AtomicLong(T0);
  private final List<RunEvent> events = new CopyOnWriteArrayList<>();
  private Braid braid;
  private WorkflowEngine engine;
  @TempDir Path dir;

  @BeforeEach
  void start() {
    Replays.reset();
    braid = Braid.start(BraidConfig.builder().build());
    engine =
        new WorkflowEngine(braid, clock, new Random(7))
            .wallClock(() -> Instant.ofEpochMilli(wall.get()));
  }

  @AfterEach
  void stop() {
    engine.close();
    braid.close();
  }

  // -- one construct each: killed mid-way, resumed -------------------------------------------

  @Test
  void aSequenceSkipsItsCompletedStepsAndResendsTheOneInFlight() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              a: { call: %1$s, args: [a] }
              b: { call: %1$s, args: [b], needs: [a] }
              c: { call: %1$s, args: [c], needs: [b] }
            """
                .formatted(STEP));
    JsonNode fresh = freshResult(wf);

    RecordingJournal life2 = crashWhileInFlight(wf, "b");
    JsonNode resumed = result(start(wf, life2));

    assertThat(resumed).isEqualTo(fresh);
    assertThat(Replays.calls("a")).as("a completed in life 1").isEqualTo(1);
    assertThat(Replays.ATTEMPTS.get("b")).containsExactly(1, 2);
    assertThat(Replays.KEYS.get("b")).containsExactly("run-1/b", "run-1/b");
    assertThat(Replays.ATTEMPTS.get("c")).containsExactly(1);
    assertThat(life2.attemptWrites("b")).containsExactly("attempt:b#2");
    // a's outcome is shown as replayed, and not journaled again
    assertThat(finishedEvent("a").replayed()).isTrue();
    assertThat(finishedEvent("b").replayed()).isFalse();
    assertThat(life2.events).noneMatch(e -> "a".equals(e.step()));
    assertThat(life2.finished.value()).isEqualTo(fresh);
  }

  @Test
  void aParallelRunsOnlyTheBranchesThatDidNotFinish() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              p:
                parallel:
                  branches:
                    x: { call: %1$s, args: [x] }
                    y: { call: %1$s, args: [y] }
            """
                .formatted(STEP));
    JsonNode fresh = freshResult(wf);

    Replays.BLOCKING.add("y");
    RecordingJournal life1 = new RecordingJournal("run-p");
    WorkflowRun first = start(wf, life1);
    assertThat(Replays.ARRIVED.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("y");
    awaitRecorded(life1, "p.x");
    RecordingJournal life2 = kill(first, life1);

    assertThat(result(start(wf, life2))).isEqualTo(fresh);
    assertThat(Replays.calls("x")).isEqualTo(1);
    assertThat(Replays.ATTEMPTS.get("y")).containsExactly(1, 2);
  }

  @Test
  void aRetriedBlockResumesInTheAttemptItWasInAndReplaysWhatThatAttemptFinished() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              p:
                retry: { max_attempts: 3, initial_interval: 10ms, jitter: none }
                parallel:
                  branches:
                    x: { call: %1$s, args: [x] }
                    y: { call: java:dev.braid.gateway.engine.Replays#failOnce, args: [y] }
            """
                .formatted(STEP));
    // life 1: attempt 1 fails (y's first call), attempt 2 finishes x and is killed with y in flight
    Replays.BLOCKING.add("y");
    RecordingJournal life1 = new RecordingJournal("run-b");
    WorkflowRun first = start(wf, life1);
    assertThat(Replays.ARRIVED.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("y");
    awaitRecorded(life1, "p.x#2");
    RecordingJournal life2 = kill(first, life1);
    Replays.BLOCKING.clear();
    events.clear();

    JsonNode resumed = result(start(wf, life2));

    assertThat(resumed).isEqualTo(JSON.readTree("{\"p\": {\"x\": \"v:x\", \"y\": \"v:y\"}}"));
    assertThat(Replays.calls("x")).as("once per attempt; attempt 2's was replayed").isEqualTo(2);
    assertThat(Replays.calls("y")).isEqualTo(3);
    assertThat(finishedEvent("p.x#2").replayed()).isTrue();
    assertThat(
            events.stream()
                .filter(e -> e.type() == RunEvent.Type.ATTEMPT_STARTED && "p".equals(e.step()))
                .map(RunEvent::attempt))
        .as("the block re-entered attempt 2, no third attempt")
        .containsExactly(2);
  }

  @Test
  void aRaceWhoseWinnerWasRecordedReplaysTheWinnerWithoutStartingTheOthers() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              r:
                parallel:
                  mode: race
                  branches:
                    fast: { call: %1$s, args: [fast] }
                    slow: { call: %1$s, args: [slow] }
            """
                .formatted(STEP));
    // the process died after the winner was recorded, before the race was
    RecordingJournal j =
        new RecordingJournal("run-r").record("r.slow", StepOutcome.ok(TextNode.valueOf("won")));

    assertThat(result(start(wf, j)).get("r").asText()).isEqualTo("won");
    assertThat(Replays.calls("fast")).isZero();
    assertThat(Replays.calls("slow")).isZero();
  }

  @Test
  void aParallelWithARecordedFailureFailsWithItWithoutStartingTheRest() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              p:
                parallel:
                  branches:
                    x: { call: %1$s, args: [x] }
                    y: { call: %1$s, args: [y] }
            """
                .formatted(STEP));
    // the process died after branch x's failure was recorded, before the parallel's
    RecordingJournal j =
        new RecordingJournal("run-pf")
            .record(
                "p.x",
                StepOutcome.failed(Failure.of(FailureCode.APPLICATION, "ValueError", "x broke")));

    StepFailedException f = failure(start(wf, j));

    assertThat(f.failure().message()).isEqualTo("x broke");
    assertThat(Replays.calls("x")).isZero();
    assertThat(Replays.calls("y")).as("y was cancelled then, it is not started now").isZero();
  }

  @Test
  void anAnyWhoseSuccessWasRecordedReplaysItWithoutStartingTheOthers() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              first_ok:
                parallel:
                  mode: any
                  branches:
                    bad: { call: %2$s, args: [bad] }
                    good: { call: %1$s, args: [good] }
            """
                .formatted(STEP, BOOM));
    RecordingJournal j =
        new RecordingJournal("run-any")
            .record("first_ok.good", StepOutcome.ok(TextNode.valueOf("v:good")));

    assertThat(result(start(wf, j)).get("first_ok").asText()).isEqualTo("v:good");
    assertThat(Replays.calls("bad")).isZero();
    assertThat(Replays.calls("good")).isZero();
  }

  @Test
  void aThousandRecordedItemsAreFedBackWithoutACall() throws Exception {
    Workflow wf =
        workflow(
            """
            input: { items: array }
            steps:
              each:
                for_each: "${{ input.items }}"
                concurrency: 8
                do: { call: %1$s, args: ["i${{ item }}"] }
            """
                .formatted(STEP));
    RecordingJournal j = new RecordingJournal("run-1000");
    for (int i = 0; i < 1000; i++) {
      j.record("each.do[" + i + "]", StepOutcome.ok(TextNode.valueOf("v:i" + i)));
    }

    ObjectNode in = JSON.createObjectNode();
    in.set("items", JSON.valueToTree(IntStream.range(0, 1000).toArray()));
    JsonNode r = result(engine.start(wf, in, events::add, j)).get("each");

    assertThat(r).hasSize(1000);
    assertThat(r.get(999).asText()).isEqualTo("v:i999");
    assertThat(Replays.ATTEMPTS).isEmpty();
    assertThat(j.outcomes()).containsKey("each");
  }

  @Test
  void aForEachRunsOnlyTheItemsThatWereNotRecorded() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              each:
                for_each: [0, 1, 2, 3, 4]
                do: { call: %1$s, args: ["i${{ item }}"] }
            """
                .formatted(STEP));
    JsonNode fresh = freshResult(wf);

    RecordingJournal life2 = crashWhileInFlight(wf, "i2");
    assertThat(life2.outcomes()).containsOnlyKeys("each.do[0]", "each.do[1]");
    JsonNode resumed = result(start(wf, life2));

    assertThat(resumed).isEqualTo(fresh);
    assertThat(Replays.calls("i0")).isEqualTo(1);
    assertThat(Replays.calls("i1")).isEqualTo(1);
    assertThat(Replays.ATTEMPTS.get("i2")).containsExactly(1, 2);
    assertThat(Replays.KEYS.get("i2")).containsExactly("run-1/each.do[2]", "run-1/each.do[2]");
    assertThat(Replays.ATTEMPTS.get("i3")).containsExactly(1);
    assertThat(Replays.ATTEMPTS.get("i4")).containsExactly(1);
  }

  @Test
  void aTryWhoseCatchWasUnderWayReplaysTheFailureAndTheHandlersStepsSoFar() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              guarded:
                try:
                  steps:
                    bad: { call: %2$s, args: [bad] }
                catch:
                  steps:
                    h1: { call: %1$s, args: [h1] }
                    h2: { call: %1$s, args: [h2], needs: [h1] }
                  output: "${{ steps.h2 }}"
            """
                .formatted(STEP, BOOM));
    JsonNode fresh = freshResult(wf);

    RecordingJournal life2 = crashWhileInFlight(wf, "h2");
    assertThat(life2.recorded("bad")).hasValueSatisfying(o -> assertThat(o.isOk()).isFalse());
    JsonNode resumed = result(start(wf, life2));

    assertThat(resumed).isEqualTo(fresh);
    assertThat(Replays.calls("bad")).as("the failed body step is fed back").isEqualTo(1);
    assertThat(Replays.calls("h1")).isEqualTo(1);
    assertThat(Replays.ATTEMPTS.get("h2")).containsExactly(1, 2);
  }

  @Test
  void aSwitchAndAnIfReplayTheChosenCaseUnderItsQuotedPath() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              a: { call: %1$s, args: [a] }
              pick:
                switch: "${{ steps.a }}"
                cases:
                  "v:a": { call: %1$s, args: [chosen] }
                  default: { call: %1$s, args: [other] }
              skipped: { if: "${{ false }}", call: %1$s, args: [never], needs: [pick] }
              last: { call: %1$s, args: [last], needs: [skipped] }
            """
                .formatted(STEP));
    JsonNode fresh = freshResult(wf);

    RecordingJournal life2 = crashWhileInFlight(wf, "last");
    assertThat(life2.outcomes()).containsKeys("a", "pick", "pick[\"v:a\"]");
    JsonNode resumed = result(start(wf, life2));

    assertThat(resumed).isEqualTo(fresh);
    assertThat(Replays.calls("chosen")).isEqualTo(1);
    assertThat(Replays.calls("other")).isZero();
    assertThat(Replays.calls("never")).isZero();
    assertThat(Replays.ATTEMPTS.get("last")).containsExactly(1, 2);
  }

  @Test
  void aStreamRegeneratesItsItemsButRunsOnlyTheBodiesNotRecorded() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              s:
                stream: { call: %2$s, args: [gen, 4] }
                do: { call: %1$s, args: ["n${{ item }}"] }
            """
                .formatted(STEP, NUMBERS));
    JsonNode fresh = freshResult(wf);

    RecordingJournal life2 = crashWhileInFlight(wf, "n2");
    JsonNode resumed = result(start(wf, life2));

    assertThat(resumed).isEqualTo(fresh);
    assertThat(Replays.ATTEMPTS.get("gen")).containsExactly(1, 2);
    assertThat(Replays.KEYS.get("gen")).containsExactly("run-1/s", "run-1/s");
    assertThat(Replays.calls("n0")).isEqualTo(1);
    assertThat(Replays.calls("n1")).isEqualTo(1);
    assertThat(Replays.ATTEMPTS.get("n2")).containsExactly(1, 2);
    assertThat(Replays.ATTEMPTS.get("n3")).containsExactly(1);
  }

  @Test
  void oddBranchNamesAreQuotedInStepPaths() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              p:
                parallel:
                  branches:
                    "a.b": { call: %1$s, args: [ab] }
                    a: { call: %1$s, args: [a] }
            """
                .formatted(STEP));
    RecordingJournal j = new RecordingJournal("run-q");
    result(start(wf, j));

    assertThat(j.outcomes()).containsOnlyKeys("p", "p[\"a.b\"]", "p.a");
  }

  // -- absolute instants -----------------------------------------------------------------------

  @Test
  void aRetryResumedMidBackoffWaitsOnlyWhatIsLeft() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              c:
                call: %s
                args: [c]
                retry: { max_attempts: 3, initial_interval: 10s, backoff: 1, max_interval: 10s, jitter: none }
            """
                .formatted(BOOM));
    // life 1: attempt 1 failed, and the wait before attempt 2 was to end at T0 + 4 s
    RecordingJournal j =
        new RecordingJournal("run-c").attempted("c", 1).instantAt("retry:c#2", T0 + 4_000);

    StepFailedException f = failure(start(wf, j));

    assertThat(f.failure().message()).contains("boom c");
    assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(4), Duration.ofSeconds(10));
    assertThat(Replays.ATTEMPTS.get("c")).containsExactly(2, 3);
    assertThat(j.instants()).containsEntry("retry:c#3", T0 + 10_000);
  }

  @Test
  void theFirstResumedAttemptIsSentEvenPastMaxAttempts() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              c:
                call: %s
                args: [c]
                retry: { max_attempts: 2, jitter: none }
            """
                .formatted(STEP));
    RecordingJournal j = new RecordingJournal("run-m").attempted("c", 2);

    assertThat(result(start(wf, j)).get("c").asText()).isEqualTo("v:c");
    assertThat(Replays.ATTEMPTS.get("c")).containsExactly(3);
    assertThat(clock.sleeps()).isEmpty();
  }

  @Test
  void aFreshRunKeepsItsDeadlineAsAnAbsoluteInstant() throws Exception {
    Workflow wf = workflow("timeout: 1h\nsteps:\n  a: { call: %s, args: [a] }\n".formatted(STEP));
    RecordingJournal j = new RecordingJournal("run-d");

    result(start(wf, j));

    assertThat(j.instants()).containsEntry("deadline:run", T0 + 3_600_000);
  }

  @Test
  void aRunWhoseDeadlinePassedWhileItWasDownFailsWithDeadlineExceeded() throws Exception {
    Workflow wf = workflow("timeout: 1h\nsteps:\n  a: { call: %s, args: [a] }\n".formatted(STEP));
    RecordingJournal j = new RecordingJournal("run-late").instantAt("deadline:run", T0 - 1);

    StepFailedException f = failure(start(wf, j));

    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    assertThat(f.failure().message()).contains("passed while the run was not running");
    assertThat(Replays.calls("a")).isZero();
    assertThat(j.finished.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    assertThat(j.finishedCancelled).isFalse();
  }

  @Test
  void aResumedRunHasOnlyWhatWasLeftOfItsDeadline() throws Exception {
    Workflow wf = workflow("timeout: 1h\nsteps:\n  a: { call: %s, args: [a] }\n".formatted(STEP));
    Replays.BLOCKING.add("a");
    RecordingJournal j = new RecordingJournal("run-left").instantAt("deadline:run", T0 + 200);

    StepFailedException f = failure(start(wf, j));

    // with the full hour the call would still hang; 200 ms were left
    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    assertThat(f.failure().message()).contains("timeout");
  }

  // -- how a run ends --------------------------------------------------------------------------

  @Test
  void aShutdownLeavesTheRunResumable() throws Exception {
    Workflow wf =
        workflow(
            "steps:\n  a: { call: %1$s, args: [a] }\n  b: { call: %1$s, args: [b], needs: [a] }\n"
                .formatted(STEP));
    Replays.BLOCKING.add("b");
    RecordingJournal j = new RecordingJournal("run-s");
    WorkflowRun r = start(wf, j);
    assertThat(Replays.ARRIVED.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("b");

    r.cancel(CancelReason.SHUTDOWN);
    StepFailedException f = failure(r);

    assertThat(f.failure().reason()).isEqualTo(CancelReason.SHUTDOWN.wireName());
    assertThat(j.finished).as("nothing final recorded").isNull();
    assertThat(j.outcomes()).containsOnlyKeys("a");
  }

  @Test
  void aCancelIsFinalAndRecordedBeforeTheResult() throws Exception {
    Workflow wf =
        workflow(
            "steps:\n  a: { call: %1$s, args: [a] }\n  b: { call: %1$s, args: [b], needs: [a] }\n"
                .formatted(STEP));
    Replays.BLOCKING.add("b");
    RecordingJournal j = new RecordingJournal("run-x");
    WorkflowRun r = start(wf, j);
    assertThat(Replays.ARRIVED.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("b");

    r.cancel();

    assertThat(failure(r).isCancellation()).isTrue();
    assertThat(j.finished.failure().code()).isEqualTo(FailureCode.CANCELLED);
    assertThat(j.finishedCancelled).isTrue();
    assertThat(j.outcomes()).as("the cancelled step is not an outcome").containsOnlyKeys("a");
  }

  @Test
  void theResultWaitsUntilTheRunsEndIsDurable() throws Exception {
    Workflow wf = workflow("steps:\n  a: { call: %s, args: [a] }\n".formatted(STEP));
    RecordingJournal j = new RecordingJournal("run-f");
    CompletableFuture<Void> ack = new CompletableFuture<>();
    j.finishedAck = ack;

    WorkflowRun r = start(wf, j);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (j.finished == null && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(j.finished).isNotNull();
    assertThat(r.result()).isNotDone();

    ack.complete(null);
    assertThat(result(r).get("a").asText()).isEqualTo("v:a");
  }

  @Test
  void aJournalThatRefusesAWriteFailsTheRunWithItsReason() throws Exception {
    Workflow wf =
        workflow(
            "steps:\n  a: { call: %1$s, args: [a] }\n  b: { call: %1$s, args: [b], needs: [a] }\n"
                .formatted(STEP));
    RecordingJournal j = new RecordingJournal("run-j");
    j.failSettled.add("a");

    StepFailedException f = failure(start(wf, j));

    assertThat(f.failure().code()).isEqualTo(FailureCode.RESOURCE_EXHAUSTED);
    assertThat(f.failure().message()).contains("budget");
    assertThat(Replays.calls("b")).isZero();
    assertThat(j.finished.failure().code()).isEqualTo(FailureCode.RESOURCE_EXHAUSTED);
  }

  @Test
  void aJournalThatRefusesAnEventFailsTheRun() throws Exception {
    Workflow wf = workflow("steps:\n  a: { call: %s, args: [a] }\n".formatted(STEP));
    RecordingJournal j = new RecordingJournal("run-e");
    j.failEvents = new JournalException(FailureCode.UNAVAILABLE, "another gateway owns the run");

    StepFailedException f = failure(start(wf, j));

    assertThat(f.failure().code()).isEqualTo(FailureCode.UNAVAILABLE);
    assertThat(f.failure().message()).contains("another gateway owns the run");
    assertThat(Replays.calls("a")).isZero();
  }

  @Test
  void anAttemptIsNotSentWhenItsWriteAheadFails() throws Exception {
    Workflow wf = workflow("steps:\n  a: { call: %s, args: [a] }\n".formatted(STEP));
    RecordingJournal j = new RecordingJournal("run-w");
    j.failAttempts = new JournalException(FailureCode.UNAVAILABLE, "the store is down");

    StepFailedException f = failure(start(wf, j));

    assertThat(f.failure().code()).isEqualTo(FailureCode.UNAVAILABLE);
    assertThat(f.failure().message()).contains("the store is down");
    assertThat(Replays.calls("a")).isZero();
  }

  // -- helpers ---------------------------------------------------------------------------------

  private Workflow workflow(String yaml) throws Exception {
    Path file = Files.createTempFile(dir, "flow", ".yaml");
    Files.writeString(file, yaml);
    ParsedWorkflow parsed = ParsedWorkflow.read(file);
    assertThat(new WorkflowChecker(FunctionCatalog.acceptingAll()).check(parsed, null)).isEmpty();
    return parsed.workflow();
  }

  private WorkflowRun start(Workflow wf, RunJournal journal) {
    return engine.start(wf, JSON.createObjectNode(), events::add, journal);
  }

  /** A fresh run's result, in a journal of its own; the call counts start again after it. */
  private JsonNode freshResult(Workflow wf) throws Exception {
    JsonNode r = result(start(wf, new RecordingJournal("fresh")));
    Replays.ATTEMPTS.clear();
    Replays.KEYS.clear();
    events.clear();
    return r;
  }

  /**
   * Runs a first life until the call {@code key} is in flight, and kills it there: returns the
   * journal the next life finds.
   */
  private RecordingJournal crashWhileInFlight(Workflow wf, String key) throws Exception {
    Replays.BLOCKING.add(key);
    RecordingJournal life1 = new RecordingJournal("run-1");
    WorkflowRun first = start(wf, life1);
    assertThat(Replays.ARRIVED.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo(key);
    return kill(first, life1);
  }

  /** The journal as it is now is what survives; then the first life is shut down. */
  private RecordingJournal kill(WorkflowRun first, RecordingJournal life1) throws Exception {
    RecordingJournal life2 = life1.nextLife();
    first.cancel(CancelReason.SHUTDOWN);
    failure(first);
    assertThat(life1.finished).as("a shut-down run is not finished").isNull();
    Replays.BLOCKING.clear();
    events.clear();
    return life2;
  }

  private static void awaitRecorded(RecordingJournal j, String path) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (!j.outcomes().containsKey(path) && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(j.outcomes()).containsKey(path);
  }

  private RunEvent finishedEvent(String step) {
    return events.stream()
        .filter(e -> e.type() == RunEvent.Type.STEP_FINISHED && step.equals(e.step()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no STEP_FINISHED for " + step));
  }

  private static JsonNode result(WorkflowRun run) throws Exception {
    return run.result().get(WAIT_S, TimeUnit.SECONDS);
  }

  private static StepFailedException failure(WorkflowRun run) throws Exception {
    try {
      JsonNode v = run.result().get(WAIT_S, TimeUnit.SECONDS);
      return fail("expected the run to fail, but it returned " + v);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StepFailedException.class);
      return (StepFailedException) e.getCause();
    }
  }
}
