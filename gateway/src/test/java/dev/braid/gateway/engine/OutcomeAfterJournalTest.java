package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import dev.braid.gateway.workflow.FunctionCatalog;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.WorkflowChecker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run's outcome event is shown only once the journal has recorded the run's end: a WatchRun
 * client that sees the outcome must find the store agreeing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutcomeAfterJournalTest {
  private static final long WAIT_S = 20;

  private final List<RunEvent> events = new CopyOnWriteArrayList<>();
  private Braid braid;
  private WorkflowEngine engine;
  @TempDir Path dir;

  @BeforeEach
  void start() {
    Replays.reset();
    braid = Braid.start(BraidConfig.builder().build());
    engine = new WorkflowEngine(braid);
  }

  @AfterEach
  void stop() {
    engine.close();
    braid.close();
  }

  /** A memory journal whose recording of the run's end completes only when the test says. */
  private static final class GatedJournal implements RunJournal {
    final RunJournal inner = RunJournal.memory("run-gated");
    final CompletableFuture<Void> gate = new CompletableFuture<>();
    final CountDownLatch endAsked = new CountDownLatch(1);

    @Override
    public String runId() {
      return inner.runId();
    }

    @Override
    public Optional<StepOutcome> recorded(String path) {
      return inner.recorded(path);
    }

    @Override
    public int lastAttempt(String path) {
      return inner.lastAttempt(path);
    }

    @Override
    public CompletableFuture<Void> attemptStarting(String path, int attempt) {
      return inner.attemptStarting(path, attempt);
    }

    @Override
    public void settled(String path, StepOutcome outcome) {
      inner.settled(path, outcome);
    }

    @Override
    public long instant(String key, long fresh) {
      return inner.instant(key, fresh);
    }

    @Override
    public CompletableFuture<JsonNode> nextSignal(String name, String path) {
      return inner.nextSignal(name, path);
    }

    @Override
    public void event(RunEvent event) {
      inner.event(event);
    }

    @Override
    public CompletableFuture<Void> finished(StepOutcome outcome, boolean cancelled) {
      endAsked.countDown();
      return inner.finished(outcome, cancelled).thenCompose(v -> gate);
    }
  }

  @Test
  void theOutcomeEventWaitsForTheJournalToRecordTheEnd() throws Exception {
    Path file = dir.resolve("flow.yaml");
    Files.writeString(
        file,
        """
        steps:
          s: { call: java:dev.braid.gateway.engine.Replays#step, args: [x] }
        """);
    ParsedWorkflow parsed = ParsedWorkflow.read(file);
    assertThat(new WorkflowChecker(FunctionCatalog.acceptingAll()).check(parsed, null)).isEmpty();
    GatedJournal journal = new GatedJournal();

    WorkflowRun run =
        engine.start(
            parsed.workflow(), new ObjectMapper().createObjectNode(), events::add, journal);

    assertThat(journal.endAsked.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(events).noneMatch(e -> e.type() == RunEvent.Type.RUN_FINISHED);
    assertThat(run.result()).isNotDone();

    journal.gate.complete(null);
    run.result().get(WAIT_S, TimeUnit.SECONDS);
    assertThat(events)
        .last()
        .satisfies(e -> assertThat(e.type()).isEqualTo(RunEvent.Type.RUN_FINISHED));
  }
}
