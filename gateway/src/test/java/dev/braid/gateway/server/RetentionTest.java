package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.EventType;
import dev.braid.proto.api.v1.GetRunRequest;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunState;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import dev.braid.proto.api.v1.WatchRunRequest;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server keeps a bounded window of each run's events and a bounded set of finished runs. */
@Timeout(120)
class RetentionTest {
  static TestServer ts;
  static BraidGrpc.BraidBlockingStub stub;

  @BeforeAll
  static void start() throws Exception {
    ts = TestServer.start(b -> b.maxFinishedRuns(2).runEventWindow(4));
    stub = ts.blocking();
  }

  @AfterAll
  static void stop() {
    if (ts != null) {
      ts.close();
    }
  }

  private static List<RunEvent> run() {
    List<RunEvent> events = new ArrayList<>();
    stub.runWorkflow(
            RunWorkflowRequest.newBuilder()
                .setName("greet")
                .setInputJson("{\"name\": \"x\"}")
                .build())
        .forEachRemaining(events::add);
    return events;
  }

  @Test
  void onlyTheLatestFinishedRunsAreKept() throws InterruptedException {
    String first = run().get(0).getRunId();
    String second = run().get(0).getRunId();
    String third = run().get(0).getRunId();

    // the third run's stream ends as its log ends, a moment before the server counts it finished
    // and drops the oldest: asked again for a bounded while
    Throwable gone = null;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (gone == null && System.nanoTime() < until) {
      gone = catchThrowable(() -> stub.getRun(GetRunRequest.newBuilder().setRunId(first).build()));
      if (gone == null) {
        Thread.sleep(20);
      }
    }
    assertThat(gone).as("the oldest finished run is dropped").isNotNull();
    assertThat(Status.fromThrowable(gone).getCode()).isEqualTo(Status.Code.NOT_FOUND);
    for (String id : List.of(second, third)) {
      assertThat(stub.getRun(GetRunRequest.newBuilder().setRunId(id).build()).getState())
          .isEqualTo(RunState.RUN_STATE_SUCCEEDED);
    }
  }

  @Test
  void aReplayStartsAtTheOldestKeptEventAndEndsWithTheOutcome() {
    List<RunEvent> live = run();
    RunEvent outcome = live.get(live.size() - 1);
    assertThat(outcome.getSeq()).as("the run had more events than the window").isGreaterThan(4);

    List<RunEvent> replay = new ArrayList<>();
    stub.watchRun(WatchRunRequest.newBuilder().setRunId(outcome.getRunId()).build())
        .forEachRemaining(replay::add);

    assertThat(replay).hasSize(4);
    assertThat(replay.get(0).getSeq()).as("a gap: the oldest events were dropped").isPositive();
    assertThat(replay.get(3)).isEqualTo(outcome);
    assertThat(replay.get(3).getType()).isEqualTo(EventType.EVENT_TYPE_RUN_FINISHED);
  }
}
