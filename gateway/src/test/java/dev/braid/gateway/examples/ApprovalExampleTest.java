package dev.braid.gateway.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.WorkflowEngine;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import dev.braid.gateway.workflow.FunctionCatalog;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.WorkerFunctionCatalog;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.gateway.workflow.WorkflowChecker;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * examples/approval: the run waits for its {@code approve} signal, and the decision reaches the
 * shipping function. The signal comes through the run's handle here ({@code braid signal} goes
 * through the store, tested with the store).
 */
@Timeout(120)
class ApprovalExampleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path FLOW =
      Path.of(System.getProperty("braid.home"), "examples/approval/flow.yaml");
  private static Workflow wf;
  private static Braid braid;
  private static WorkflowEngine engine;

  @BeforeAll
  static void start() throws Exception {
    ParsedWorkflow parsed = ParsedWorkflow.read(FLOW);
    assertThat(new WorkflowChecker(FunctionCatalog.acceptingAll()).check(parsed, null)).isEmpty();
    wf = parsed.workflow();
    braid = Braid.start(WorkerFunctionCatalog.configure(BraidConfig.builder(), wf).build());
    engine = new WorkflowEngine(braid);
  }

  @AfterAll
  static void stop() {
    engine.close();
    braid.close();
  }

  private static JsonNode decide(String decision) throws Exception {
    List<RunEvent> events = new CopyOnWriteArrayList<>();
    WorkflowRun run = engine.start(wf, JSON.readTree("{\"orderId\": \"A7\"}"), events::add);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (events.stream()
        .noneMatch(e -> e.type() == RunEvent.Type.STEP_STARTED && "approval".equals(e.step()))) {
      assertThat(System.nanoTime()).as("the signal step started").isLessThan(end);
      Thread.sleep(10);
    }
    assertThat(run.result()).isNotDone();
    run.signal("approve", JSON.readTree(decision));
    return run.result().get(60, TimeUnit.SECONDS);
  }

  @Test
  void anApprovedOrderShipsWithTheDecision() throws Exception {
    JsonNode r = decide("{\"ok\": true, \"by\": \"ada\"}");
    assertThat(r.get("order").asText()).isEqualTo("A7");
    assertThat(r.get("shipped").asBoolean()).isTrue();
    assertThat(r.get("decision").get("by").asText()).isEqualTo("ada");
    assertThat(r.get("attempt").asInt()).isEqualTo(1);
  }

  @Test
  void aRefusedOrderDoesNotShip() throws Exception {
    JsonNode r = decide("{\"ok\": false, \"by\": \"bob\"}");
    assertThat(r.get("shipped").asBoolean()).isFalse();
  }
}
