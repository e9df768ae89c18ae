package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.proto.api.v1.EventStatus;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunState;
import dev.braid.proto.api.v1.SignalRunRequest;
import dev.braid.proto.api.v1.StartWorkflowRequest;
import dev.braid.proto.api.v1.WatchRunRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SignalRun on a server without a store ({@code --store memory}): the signal is handed to the run's
 * memory journal; a finished or unknown run is refused. The durable side is in {@link
 * DurableServerContract}.
 */
@Timeout(120)
class SignalRunTest {
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static SignalRunRequest signal(String id, String payload) {
    return SignalRunRequest.newBuilder()
        .setRunId(id)
        .setName("approve")
        .setPayloadJson(payload)
        .build();
  }

  @Test
  void aSignalReachesTheRunWaitingForItAndAFinishedRunTakesNoMore() {
    String id =
        server
            .blocking()
            .startWorkflow(StartWorkflowRequest.newBuilder().setName("waiting").build())
            .getRunId();

    assertThat(server.blocking().signalRun(signal(id, "{\"ok\": 1}")).getRunId()).isEqualTo(id);

    List<RunEvent> events = new ArrayList<>();
    server
        .blocking()
        .watchRun(WatchRunRequest.newBuilder().setRunId(id).build())
        .forEachRemaining(events::add);
    RunEvent outcome = events.get(events.size() - 1);
    assertThat(outcome.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);
    assertThat(outcome.getResultJson()).isEqualTo("{\"ok\":1}");
    assertThat(
            server
                .blocking()
                .getRun(dev.braid.proto.api.v1.GetRunRequest.newBuilder().setRunId(id).build())
                .getState())
        .isEqualTo(RunState.RUN_STATE_SUCCEEDED);

    assertThatThrownBy(() -> server.blocking().signalRun(signal(id, "{}")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
  }

  @Test
  void anUnknownRunIsNotFound() {
    assertThatThrownBy(() -> server.blocking().signalRun(signal("run-unknown", "{}")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }
}
