package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.braid.model.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link ManualClock} drives whole engine runs — the run's timeout, a step's timeout, each call's
 * total and attempt deadlines — with in-process Java functions that never answer on their own: no
 * sleeping, time moves only when the test says so. Each case checks which deadline fired, what the
 * function saw as its remaining time ({@code remaining_ms}) and why it was cancelled. The waits
 * below are only for the other threads (the run loop, the function's thread) to catch up, bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManualClockRunTest {
  private static final String HANG = "java:dev.braid.gateway.engine.Stalls#hang";
  private static final long WAIT_S = 20;

  private final ManualClock clock = new ManualClock();
  private Braid braid;
  private WorkflowEngine engine;
  @TempDir Path dir;

  @BeforeEach
  void start() {
    Stalls.SEEN.clear();
    braid = Braid.start(BraidConfig.builder().build(), clock);
    engine = new WorkflowEngine(braid, null, new Random(7));
  }

  @AfterEach
  void stop() {
    engine.close();
    braid.close();
  }

  private WorkflowRun run(String yaml) throws Exception {
    Path file = Files.createTempFile(dir, "flow", ".yaml");
    Files.writeString(file, yaml);
    ParsedWorkflow parsed = ParsedWorkflow.read(file);
    assertThat(new WorkflowChecker(FunctionCatalog.acceptingAll()).check(parsed, null)).isEmpty();
    Workflow wf = parsed.workflow();
    return engine.start(wf, new ObjectMapper().createObjectNode(), e -> {});
  }

  private static Stalls.Seen arrived(String key) throws InterruptedException {
    Stalls.Seen s = Stalls.SEEN.poll(WAIT_S, TimeUnit.SECONDS);
    assertThat(s).as("call %s reached its function", key).isNotNull();
    assertThat(s.key()).isEqualTo(key);
    return s;
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

  private static CancelReason cancelledWith(Stalls.Seen s) throws Exception {
    return s.cancelled().get(WAIT_S, TimeUnit.SECONDS);
  }

  @Test
  void anAttemptTimeoutFiresOnTheAttemptAndTheWorkerSeesOnlyItsTime() throws Exception {
    WorkflowRun run =
        run(
            """
            timeout: 10s
            steps:
              a: { call: "%s", args: [a], timeout: 2s, total_timeout: 8s }
            """
                .formatted(HANG));
    Stalls.Seen a = arrived("a");
    assertThat(a.remaining()).isEqualTo(Duration.ofSeconds(2));

    clock.advance(Duration.ofMillis(1999));
    assertThat(a.cancelled()).isNotDone();
    clock.advance(Duration.ofMillis(1));

    assertThat(cancelledWith(a)).isEqualTo(CancelReason.DEADLINE_EXCEEDED);
    StepFailedException f = failure(run);
    assertThat(f.step()).isEqualTo("a");
    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    // the attempt's own deadline, not the step's total_timeout nor the run's
    assertThat(f.failure().message()).contains("deadline exceeded for java:");
  }

  @Test
  void aStepTimeoutEarlierThanTheAttemptsIsWhatTheWorkerSeesAndWhatFires() throws Exception {
    WorkflowRun run =
        run(
            """
            timeout: 10s
            steps:
              fan:
                timeout: 3s
                parallel:
                  branches:
                    a: { call: "%s", args: [a], timeout: 5s }
            """
                .formatted(HANG));
    Stalls.Seen a = arrived("a");
    assertThat(a.remaining()).isEqualTo(Duration.ofSeconds(3));

    clock.advance(Duration.ofSeconds(3));

    StepFailedException f = failure(run);
    assertThat(f.step()).isEqualTo("fan");
    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    assertThat(f.failure().message()).isEqualTo("step 'fan' timed out after 3s");
    // the step's scope fired: the call inside learns it as its parent's cancellation
    assertThat(cancelledWith(a))
        .isIn(CancelReason.DEADLINE_EXCEEDED, CancelReason.PARENT_CANCELLED);
  }

  @Test
  void theRunTimeoutBoundsEveryCallAndIsReportedAsTheRuns() throws Exception {
    WorkflowRun run =
        run(
            """
            timeout: 4s
            steps:
              a: { call: "%s", args: [a], timeout: 8s, total_timeout: 6s }
              b: { call: "%s", args: [b] }
            """
                .formatted(HANG, HANG));
    // a and b start together, in either order
    Stalls.Seen first = Stalls.SEEN.poll(WAIT_S, TimeUnit.SECONDS);
    Stalls.Seen second = Stalls.SEEN.poll(WAIT_S, TimeUnit.SECONDS);
    assertThat(first).isNotNull();
    assertThat(second).isNotNull();
    assertThat(List.of(first.key(), second.key())).containsExactlyInAnyOrder("a", "b");
    assertThat(first.remaining()).isEqualTo(Duration.ofSeconds(4));
    assertThat(second.remaining()).isEqualTo(Duration.ofSeconds(4));

    clock.advance(Duration.ofSeconds(4));

    StepFailedException f = failure(run);
    assertThat(f.step()).isNull();
    assertThat(f.failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    assertThat(f.failure().message()).isEqualTo("the run's timeout 4s expired");
    assertThat(cancelledWith(first)).isEqualTo(CancelReason.DEADLINE_EXCEEDED);
    assertThat(cancelledWith(second)).isEqualTo(CancelReason.DEADLINE_EXCEEDED);
  }

  @Test
  void aCallWithoutAnyDeadlineArmsNoTimerAndSeesNoRemainingTime() throws Exception {
    WorkflowRun run =
        run(
            """
            steps:
              a: { call: "%s", args: [a] }
            """
                .formatted(HANG));
    Stalls.Seen a = arrived("a");
    assertThat(a.remaining()).isNull();
    assertThat(clock.pending()).isZero();

    run.cancel();
    assertThat(cancelledWith(a)).isEqualTo(CancelReason.CANCELLED);
    assertThat(failure(run).failure().code()).isEqualTo(FailureCode.CANCELLED);
  }
}
