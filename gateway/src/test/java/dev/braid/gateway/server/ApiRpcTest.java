package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.CancelRunRequest;
import dev.braid.proto.api.v1.Code;
import dev.braid.proto.api.v1.EventStatus;
import dev.braid.proto.api.v1.EventType;
import dev.braid.proto.api.v1.ExecuteScriptRequest;
import dev.braid.proto.api.v1.GetRunRequest;
import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.InvokeResponse;
import dev.braid.proto.api.v1.InvokeStreamRequest;
import dev.braid.proto.api.v1.InvokeStreamResponse;
import dev.braid.proto.api.v1.ListFunctionsRequest;
import dev.braid.proto.api.v1.ListFunctionsResponse;
import dev.braid.proto.api.v1.RetryPolicy;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunInfo;
import dev.braid.proto.api.v1.RunState;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import dev.braid.proto.api.v1.StartWorkflowRequest;
import dev.braid.proto.api.v1.WatchRunRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every RPC of braid.api.v1.Braid, plus health and reflection, against a real server. */
@Timeout(120)
class ApiRpcTest {
  static TestServer ts;
  static BraidGrpc.BraidBlockingStub stub;

  @TempDir Path folder;

  @BeforeAll
  static void start() throws Exception {
    ts = TestServer.start();
    stub = ts.blocking();
  }

  @AfterAll
  static void stop() {
    if (ts != null) {
      ts.close();
    }
  }

  static String json(String s) {
    return s.replace('\'', '"');
  }

  @Test
  void runWorkflowStreamsEventsEndingWithTheOutcome() {
    List<RunEvent> events = new ArrayList<>();
    stub.runWorkflow(
            RunWorkflowRequest.newBuilder()
                .setName("greet")
                .setInputJson(json("{'name': 'ada', 'a': 40}"))
                .build())
        .forEachRemaining(events::add);

    assertThat(events.get(0).getType()).isEqualTo(EventType.EVENT_TYPE_RUN_STARTED);
    RunEvent last = events.get(events.size() - 1);
    assertThat(last.getType()).isEqualTo(EventType.EVENT_TYPE_RUN_FINISHED);
    assertThat(last.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);
    assertThat(last.getResultJson()).isEqualTo(json("{'greeting':'hello ADA','sum':42}"));
    assertThat(events).extracting(RunEvent::getSeq).containsExactly(seq(events.size()));
    assertThat(events).extracting(RunEvent::getRunId).containsOnly(last.getRunId());
    assertThat(events)
        .filteredOn(e -> e.getType() == EventType.EVENT_TYPE_ATTEMPT_STARTED)
        .extracting(RunEvent::getLanguage)
        .containsExactlyInAnyOrder("node", "python");
  }

  private static Long[] seq(int n) {
    Long[] out = new Long[n];
    for (int i = 0; i < n; i++) {
      out[i] = (long) i;
    }
    return out;
  }

  @Test
  void aFailedRunEndsWithItsFailureAsDataAndStatusOk() {
    List<RunEvent> events = new ArrayList<>();
    stub.runWorkflow(RunWorkflowRequest.newBuilder().setName("failing").build())
        .forEachRemaining(events::add);

    RunEvent last = events.get(events.size() - 1);
    assertThat(last.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_FAILED);
    assertThat(last.getStep()).isEqualTo("boom");
    assertThat(last.getError().getCode()).isEqualTo(Code.APPLICATION);
    assertThat(last.getError().getType()).isEqualTo("ValueError");
    assertThat(last.getError().getMessage()).isEqualTo("card declined");
    assertThat(last.getError().getLanguage()).isEqualTo("python");
    assertThat(last.getError().getStack()).contains("server_funcs.py");

    RunInfo info = stub.getRun(GetRunRequest.newBuilder().setRunId(last.getRunId()).build());
    assertThat(info.getState()).isEqualTo(RunState.RUN_STATE_FAILED);
    assertThat(info.getFailedStep()).isEqualTo("boom");
    assertThat(info.getFailure().getType()).isEqualTo("ValueError");
  }

  @Test
  void anInlineDefinitionRuns() {
    String yaml =
        """
        name: inline-sum
        steps:
          s: { call: "python:server_funcs:add", args: [2, 3] }
        output: "${{ steps.s }}"
        """;
    Iterator<RunEvent> it =
        stub.runWorkflow(RunWorkflowRequest.newBuilder().setDefinition(yaml).build());
    RunEvent last = null;
    while (it.hasNext()) {
      last = it.next();
    }
    assertThat(last.getResultJson()).isEqualTo("5");
    RunInfo info = stub.getRun(GetRunRequest.newBuilder().setRunId(last.getRunId()).build());
    assertThat(info.getWorkflow()).isEqualTo("inline-sum");
  }

  @Test
  void startGetWatchAndCancelARun() throws Exception {
    RunInfo started =
        stub.startWorkflow(
            StartWorkflowRequest.newBuilder()
                .setName("slow")
                .setInputJson(json("{'folder': '" + folder + "', 'tag': 'started', 'seconds': 60}"))
                .build());
    assertThat(started.getRunId()).startsWith("run-");
    assertThat(started.getState()).isEqualTo(RunState.RUN_STATE_RUNNING);
    assertThat(started.getWorkflow()).isEqualTo("slow");
    assertThat(TestServer.await(folder.resolve("started.started"), Duration.ofSeconds(30)))
        .isTrue();

    // a watch of the run in progress replays from the start, then follows it
    CompletableFuture<List<RunEvent>> watched = watch(started.getRunId(), 0);
    RunInfo running = stub.getRun(GetRunRequest.newBuilder().setRunId(started.getRunId()).build());
    assertThat(running.getState()).isEqualTo(RunState.RUN_STATE_RUNNING);
    assertThat(running.getNextSeq()).isGreaterThan(0);

    RunInfo cancelling =
        stub.cancelRun(CancelRunRequest.newBuilder().setRunId(started.getRunId()).build());
    assertThat(cancelling.getCancelRequested()).isTrue();

    List<RunEvent> events = watched.get(30, TimeUnit.SECONDS);
    assertThat(events.get(0).getSeq()).isZero();
    RunEvent last = events.get(events.size() - 1);
    assertThat(last.getType()).isEqualTo(EventType.EVENT_TYPE_RUN_FINISHED);
    assertThat(last.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_CANCELLED);
    assertThat(TestServer.awaitText(folder.resolve("started.cancelled"), Duration.ofSeconds(10)))
        .isEqualTo("cancelled");

    RunInfo done = stub.getRun(GetRunRequest.newBuilder().setRunId(started.getRunId()).build());
    assertThat(done.getState()).isEqualTo(RunState.RUN_STATE_CANCELLED);
    assertThat(done.hasFinishedAt()).isTrue();
    assertThat(done.getFailure().getCode()).isEqualTo(Code.CANCELLED);

    // a recently finished run can still be watched: from a position, up to the outcome
    List<RunEvent> replay = watch(started.getRunId(), 1).get(30, TimeUnit.SECONDS);
    assertThat(replay.get(0).getSeq()).isEqualTo(1);
    assertThat(replay).hasSize(events.size() - 1);

    // cancelling a finished run changes nothing
    RunInfo again =
        stub.cancelRun(CancelRunRequest.newBuilder().setRunId(started.getRunId()).build());
    assertThat(again.getState()).isEqualTo(RunState.RUN_STATE_CANCELLED);
  }

  private CompletableFuture<List<RunEvent>> watch(String runId, long from) {
    CompletableFuture<List<RunEvent>> done = new CompletableFuture<>();
    List<RunEvent> events = new ArrayList<>();
    ts.async()
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .watchRun(
            WatchRunRequest.newBuilder().setRunId(runId).setFromSeq(from).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(RunEvent e) {
                events.add(e);
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(events);
              }
            });
    return done;
  }

  @Test
  void invokeReturnsTheValue() {
    InvokeResponse r =
        stub.invoke(
            InvokeRequest.newBuilder()
                .setFunction("python:server_funcs:add")
                .setArgsJson("[20, 22]")
                .build());
    assertThat(r.getValueJson()).isEqualTo("42");

    InvokeResponse kw =
        stub.invoke(
            InvokeRequest.newBuilder()
                .setFunction("python:server_funcs:add")
                .setKwargsJson(json("{'a': 'x', 'b': 'y'}"))
                .build());
    assertThat(kw.getValueJson()).isEqualTo(json("'xy'"));

    InvokeResponse node =
        stub.invoke(
            InvokeRequest.newBuilder()
                .setFunction("node:server_funcs.mjs#shout")
                .setArgsJson(json("['hi']"))
                .build());
    assertThat(node.getValueJson()).isEqualTo(json("'HI'"));
  }

  @Test
  void invokeWithARetryPolicyTriesAgainAndTheWorkerSeesTheAttempt() {
    InvokeRequest.Builder req =
        InvokeRequest.newBuilder()
            .setFunction("python:server_funcs:fail_before_attempt")
            .setArgsJson("[3]");
    RetryPolicy.Builder retry =
        RetryPolicy.newBuilder()
            .setInitialInterval(com.google.protobuf.Duration.newBuilder().setNanos(10_000_000))
            .setNoJitter(true);

    InvokeResponse once = stub.invoke(req.build());
    assertThat(once.getFailure().getMessage()).isEqualTo("attempt 1 of 3");

    InvokeResponse third = stub.invoke(req.setRetry(retry.setMaxAttempts(3)).build());
    assertThat(third.getValueJson()).isEqualTo("3");

    InvokeResponse tooFew = stub.invoke(req.setRetry(retry.setMaxAttempts(2)).build());
    assertThat(tooFew.getFailure().getMessage()).isEqualTo("attempt 2 of 3");
  }

  @Test
  void anApplicationFailureIsDataWithStatusOk() {
    InvokeResponse r =
        stub.invoke(
            InvokeRequest.newBuilder()
                .setFunction("python:server_funcs:fail")
                .setArgsJson(json("['no stock']"))
                .build());
    assertThat(r.hasFailure()).isTrue();
    assertThat(r.getFailure().getCode()).isEqualTo(Code.APPLICATION);
    assertThat(r.getFailure().getType()).isEqualTo("ValueError");
    assertThat(r.getFailure().getMessage()).isEqualTo("no stock");
    assertThat(r.getFailure().getLanguage()).isEqualTo("python");
  }

  @Test
  void invokeStreamSendsEveryItemInOrder() {
    List<InvokeStreamResponse> items = new ArrayList<>();
    stub.invokeStream(
            InvokeStreamRequest.newBuilder()
                .setFunction("python:server_funcs:countdown")
                .setArgsJson("[50]")
                .build())
        .forEachRemaining(items::add);
    assertThat(items).hasSize(50);
    assertThat(items.get(0).getItemJson()).isEqualTo("50");
    assertThat(items.get(49).getItemJson()).isEqualTo("1");
    assertThat(items).extracting(InvokeStreamResponse::getSeq).containsExactly(seq(50));
  }

  @Test
  void aSlowReaderHoldsTheGeneratorBack() throws Exception {
    // 100 kB items, no delay: without backpressure the generator would make thousands while the
    // client sleeps; with it, it stops once the window and the transport's buffers are full
    ManagedChannel channel = ts.channel(TestServer.TOKEN);
    Iterator<InvokeStreamResponse> it =
        BraidGrpc.newBlockingStub(channel)
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .invokeStream(
                InvokeStreamRequest.newBuilder()
                    .setFunction("python:server_funcs:ticks_marked")
                    .setArgsJson(json("['" + folder + "', 'slow', 0, 100000]"))
                    .build());
    assertThat(it.next().getItemJson()).hasSizeGreaterThan(100000);
    Thread.sleep(2000);
    channel.shutdownNow();
    String made = TestServer.awaitText(folder.resolve("slow.closed"), Duration.ofSeconds(20));
    assertThat(made).as("the generator was closed when the client left").isNotNull();
    assertThat(Integer.parseInt(made)).isLessThan(200);
  }

  @Test
  void listFunctionsGivesThePreloadedModules() {
    ListFunctionsResponse all = stub.listFunctions(ListFunctionsRequest.getDefaultInstance());
    assertThat(all.getFunctionsList())
        .extracting(f -> f.getReference())
        .contains(
            "python:server_funcs:add",
            "python:server_funcs:countdown",
            "node:server_funcs.mjs#shout");
    assertThat(all.getFunctionsList())
        .filteredOn(f -> f.getReference().equals("python:server_funcs:countdown"))
        .extracting(f -> f.getKind())
        .containsExactly("async_generator");

    ListFunctionsResponse node =
        stub.listFunctions(ListFunctionsRequest.newBuilder().setLanguage("node").build());
    assertThat(node.getFunctionsList()).allMatch(f -> f.getReference().startsWith("node:"));
  }

  @Test
  void executeScriptIsRefusedWhenTheServerHasNoSandbox() {
    Iterator<?> it =
        stub.executeScript(
            ExecuteScriptRequest.newBuilder()
                .setLang("python")
                .setCode("def main(inp): return 1")
                .build());
    assertThatThrownBy(it::hasNext)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
              assertThat(e.getMessage()).contains("this server cannot run scripts");
            });
  }

  @Test
  void healthCheckingAnswersServing() {
    HealthCheckResponse r =
        HealthGrpc.newBlockingStub(ts.channel(TestServer.TOKEN))
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.newBuilder().setService("braid.api.v1.Braid").build());
    assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void reflectionListsTheService() throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> req =
        ServerReflectionGrpc.newStub(ts.channel(TestServer.TOKEN))
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse r) {
                    answer.complete(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    ServerReflectionResponse r = answer.get(10, TimeUnit.SECONDS);
    req.onCompleted();
    assertThat(r.getListServicesResponse().getServiceList())
        .extracting(s -> s.getName())
        .contains("braid.api.v1.Braid", "grpc.health.v1.Health");
  }
}
