package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import dev.braid.gateway.workflow.FunctionCatalog;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.gateway.workflow.WorkflowChecker;
import dev.braid.model.CancelReason;
import dev.braid.model.FailureCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loop}: {@code while}, {@code until}, {@code max_iterations}, what {@code iteration.index}
 * and {@code iteration.last} are, the delay between iterations (waited on a {@link FakeClock},
 * journaled as instants), and a run resumed mid-loop. In-process Java functions ({@link Replays});
 * waits are bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopTest {
  private static final String STEP = "java:dev.braid.gateway.engine.Replays#step";
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

  @Test
  void untilEndsTheLoopAfterTheIterationWhereItHoldsAndSeesThatIterationsSteps() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              poll:
                loop:
                  steps:
                    s: { call: %s, args: ["k${{ iteration.index }}"] }
                  output: "${{ steps.s }}"
                until: "${{ steps.s == 'v:k2' }}"
            """
                .formatted(STEP));

    assertThat(result(start(wf)).get("poll").asText()).isEqualTo("v:k2");
    assertThat(Replays.calls("k0") + Replays.calls("k1") + Replays.calls("k2")).isEqualTo(3);
    assertThat(Replays.calls("k3")).isZero();
    // each iteration's step is an instance of its own, named by the iteration
    assertThat(finishedSteps()).containsExactly("s[0]", "s[1]", "s[2]", "poll");
  }

  @Test
  void whileIsCheckedBeforeEachIterationAndSeesTheIndexAndThePreviousOutput() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              chain:
                loop:
                  steps:
                    s: { call: %s, args: ["${{ iteration.last }}/${{ iteration.index }}"] }
                  output: "${{ steps.s }}"
                while: "${{ iteration.index < 3 }}"
            """
                .formatted(STEP));

    assertThat(result(start(wf)).get("chain").asText()).isEqualTo("v:v:v:/0/1/2");
  }

  @Test
  void aLoopWhoseWhileIsFalseAtOnceRunsNothingAndGivesNull() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              never:
                loop: { steps: { s: { call: %s, args: [x] } } }
                while: false
            """
                .formatted(STEP));

    assertThat(result(start(wf)).get("never").isNull()).isTrue();
    assertThat(Replays.calls("x")).isZero();
  }

  @Test
  void withoutAConditionMaxIterationsIsTheNumberOfIterations() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              thrice:
                loop: { steps: { s: { call: %s, args: [x] } } }
                max_iterations: 3
            """
                .formatted(STEP));

    assertThat(result(start(wf)).get("thrice").get("s").asText()).isEqualTo("v:x");
    assertThat(Replays.calls("x")).isEqualTo(3);
  }

  @Test
  void reachingMaxIterationsWithAConditionFailsTheStepAtTheLimitsLine() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              poll:
                loop: { steps: { s: { call: %s, args: [x] } } }
                until: "${{ steps.s == 'never' }}"
                max_iterations: 4
            """
                .formatted(STEP));

    StepFailedException f = failure(start(wf));
    assertThat(f.failure().code()).isEqualTo(FailureCode.RESOURCE_EXHAUSTED);
    assertThat(f.failure().type()).isEqualTo("MaxIterations");
    assertThat(f.failure().message())
        .isEqualTo("loop 'poll' reached max_iterations (4) and its until: never held");
    assertThat(f.at().line()).isEqualTo(5);
    assertThat(Replays.calls("x")).isEqualTo(4);
  }

  @Test
  void aFailingIterationFailsTheLoopAndStartsNoOther() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              l:
                loop: { steps: { s: { call: java:dev.braid.gateway.engine.Replays#boom, args: [b] } } }
                max_iterations: 5
            """);

    StepFailedException f = failure(start(wf));
    assertThat(f.failure().message()).contains("boom b");
    assertThat(Replays.calls("b")).isEqualTo(1);
  }

  @Test
  void theDelayGrowsByItsBackoffUpToItsMaxAndIsJournaledPerIteration() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              l:
                loop: { steps: { s: { call: %s, args: ["k${{ iteration.index }}"] } } }
                max_iterations: 5
                delay: { initial: 100ms, backoff: 2, max: 500ms }
            """
                .formatted(STEP));
    RecordingJournal journal = new RecordingJournal("run-d");

    assertThat(result(start(wf, journal)).get("l").get("s").asText()).isEqualTo("v:k4");
    assertThat(clock.sleeps())
        .containsExactly(
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            Duration.ofMillis(400),
            Duration.ofMillis(500));
    assertThat(journal.instants())
        .containsEntry("delay:l[1]", T0 + 100)
        .containsEntry("delay:l[2]", T0 + 200)
        .containsEntry("delay:l[4]", T0 + 500)
        .doesNotContainKey("delay:l[0]");
  }

  @Test
  void aResumedLoopSkipsItsFinishedIterationsAndKeepsItsDelaySchedule() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              l:
                loop:
                  steps:
                    s: { call: %s, args: ["k${{ iteration.index }}"] }
                  output: "${{ steps.s }}"
                max_iterations: 4
                delay: { initial: 100ms, backoff: 2, max: 1s }
            """
                .formatted(STEP));

    // life 1 dies while iteration 2's call is in flight: its pause (until T0 + 200) was journaled
    Replays.BLOCKING.add("k2");
    RecordingJournal life1 = new RecordingJournal("run-1");
    WorkflowRun first = start(wf, life1);
    assertThat(Replays.ARRIVED.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("k2");
    RecordingJournal life2 = life1.nextLife();
    first.cancel(CancelReason.SHUTDOWN);
    failure(first);
    Replays.BLOCKING.clear();
    int sleptBefore = clock.sleeps().size();

    // life 2 starts 150 ms after T0: iteration 1's pause is over, iteration 2's has 50 ms left
    wall.set(T0 + 150);
    assertThat(result(start(wf, life2)).get("l").asText()).isEqualTo("v:k3");
    assertThat(Replays.calls("k0")).isEqualTo(1);
    assertThat(Replays.calls("k1")).isEqualTo(1);
    assertThat(Replays.ATTEMPTS.get("k2")).containsExactly(1, 2);
    assertThat(clock.sleeps().subList(sleptBefore, clock.sleeps().size()))
        .containsExactly(Duration.ofMillis(50), Duration.ofMillis(400));
  }

  @Test
  void cancellingTheRunCancelsTheIterationsCallAndStartsNoOther() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              l:
                loop: { steps: { s: { call: %s, args: ["k${{ iteration.index }}"] } } }
                max_iterations: 5
            """
                .formatted(STEP));
    Replays.BLOCKING.add("k1");
    WorkflowRun run = start(wf);
    assertThat(Replays.ARRIVED.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("k1");

    run.cancel();

    StepFailedException f = failure(run);
    assertThat(f.failure().code()).isEqualTo(FailureCode.CANCELLED);
    assertThat(Replays.calls("k2")).isZero();
    assertThat(finishedStatus("s[1]")).isEqualTo(RunEvent.Status.CANCELLED);
  }

  // -- helpers ---------------------------------------------------------------------------------

  private Workflow workflow(String yaml) throws Exception {
    Path file = Files.createTempFile(dir, "flow", ".yaml");
    Files.writeString(file, yaml);
    ParsedWorkflow parsed = ParsedWorkflow.read(file);
    assertThat(new WorkflowChecker(FunctionCatalog.acceptingAll()).check(parsed, null)).isEmpty();
    return parsed.workflow();
  }

  private WorkflowRun start(Workflow wf) {
    return start(wf, RunJournal.memory("run-m"));
  }

  private WorkflowRun start(Workflow wf, RunJournal journal) {
    return engine.start(wf, JSON.createObjectNode(), events::add, journal);
  }

  private List<String> finishedSteps() {
    return events.stream()
        .filter(e -> e.type() == RunEvent.Type.STEP_FINISHED)
        .map(RunEvent::step)
        .toList();
  }

  private RunEvent.Status finishedStatus(String step) {
    return events.stream()
        .filter(e -> e.type() == RunEvent.Type.STEP_FINISHED && step.equals(e.step()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no STEP_FINISHED for " + step))
        .status();
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

  @Test
  void aWhileThatGivesNoBooleanFailsTheStepWithItsLocation() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              spin:
                loop: { steps: { s: { call: %s, args: [w] } } }
                while: "${{ iteration.index }}"
                max_iterations: 2
            """
                .formatted(STEP));

    StepFailedException f = failure(start(wf));
    assertThat(f.failure().message())
        .contains("needs true or false, but the expression gave an integer")
        .contains(":4:13:");
    assertThat(Replays.calls("w")).isZero();
  }

  @Test
  void theStepsOfAnItemNameTheirLoopTheirIndexAndTheCount() throws Exception {
    Workflow wf =
        workflow(
            """
            steps:
              poll:
                loop: { steps: { s: { call: %s, args: [it] } } }
                max_iterations: 3
              each:
                for_each: [a, b]
                do: { call: %s, args: ["${{ item }}"] }
            """
                .formatted(STEP, STEP));
    result(start(wf));

    assertThat(startedItems("s["))
        .containsExactly(
            new RunEvent.Item("poll", 0, 3),
            new RunEvent.Item("poll", 1, 3),
            new RunEvent.Item("poll", 2, 3));
    assertThat(startedItems("each.do["))
        .containsExactlyInAnyOrder(
            new RunEvent.Item("each", 0, 2), new RunEvent.Item("each", 1, 2));
    assertThat(startedItems("poll")).containsExactly((RunEvent.Item) null);
  }

  private List<RunEvent.Item> startedItems(String stepPrefix) {
    List<RunEvent.Item> out = new ArrayList<>();
    for (RunEvent e : events) {
      if (e.type() == RunEvent.Type.STEP_STARTED && e.step().startsWith(stepPrefix)) {
        out.add(e.item());
      }
    }
    return out;
  }
}
