package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.braid.gateway.server.internal.ApiProtos;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.Code;
import dev.braid.proto.api.v1.Failure;
import dev.braid.proto.api.v1.GetRunRequest;
import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.InvokeResponse;
import dev.braid.proto.api.v1.InvokeStreamRequest;
import dev.braid.proto.api.v1.InvokeStreamResponse;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunInfo;
import dev.braid.proto.api.v1.RunState;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client's deadline becomes the call's or run's deadline, and a client's cancel (or a dropped
 * connection) cancels it: in each case the worker observes the cancellation and its reason.
 */
@Timeout(120)
class CancellationTest {
  static TestServer ts;
  static BraidGrpc.BraidBlockingStub stub;
  static final Duration WAIT = Duration.ofSeconds(20);

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

  private String args(String tag, double seconds) {
    return "[\"" + folder + "\", \"" + tag + "\", " + seconds + "]";
  }

  private String input(String tag, double seconds) {
    return "{\"folder\": \""
        + folder
        + "\", \"tag\": \""
        + tag
        + "\", \"seconds\": "
        + seconds
        + "}";
  }

  private String reasonSeenBy(String tag) throws Exception {
    return TestServer.awaitText(folder.resolve(tag + ".cancelled"), WAIT);
  }

  private void awaitStarted(String tag) throws Exception {
    assertThat(TestServer.await(folder.resolve(tag + ".started"), WAIT))
        .as("%s started", tag)
        .isTrue();
  }

  private static Status.Code code(Throwable t) {
    assertThat(t).isInstanceOf(StatusRuntimeException.class);
    return ((StatusRuntimeException) t).getStatus().getCode();
  }

  @Test
  void aClientDeadlineBecomesTheCallsDeadline() throws Exception {
    Throwable t =
        catchThrowable(
            () ->
                ts.blocking()
                    .withDeadlineAfter(1500, TimeUnit.MILLISECONDS)
                    .invoke(
                        InvokeRequest.newBuilder()
                            .setFunction("python:server_funcs:sleep_marked")
                            .setArgsJson(args("dl", 60))
                            .build()));
    assertThat(code(t)).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(reasonSeenBy("dl")).isEqualTo("deadline_exceeded");
  }

  @Test
  void aRequestTimeoutWithoutAClientDeadline() throws Exception {
    Throwable t =
        catchThrowable(
            () ->
                stub.invoke(
                    InvokeRequest.newBuilder()
                        .setFunction("python:server_funcs:sleep_marked")
                        .setArgsJson(args("rt", 60))
                        .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
                        .build()));
    assertThat(code(t)).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    Failure f = ((StatusRuntimeException) t).getTrailers().get(ApiProtos.FAILURE_TRAILER);
    assertThat(f.getCode()).isEqualTo(Code.DEADLINE_EXCEEDED);
    assertThat(f.getReason()).isEqualTo("deadline_exceeded");
    assertThat(reasonSeenBy("rt")).isEqualTo("deadline_exceeded");
  }

  @Test
  void aClientCancelCancelsTheCall() throws Exception {
    Context.CancellableContext ctx = Context.current().withCancellation();
    CompletableFuture<InvokeResponse> answer = new CompletableFuture<>();
    ctx.run(
        () ->
            ts.async()
                .invoke(
                    InvokeRequest.newBuilder()
                        .setFunction("python:server_funcs:sleep_marked")
                        .setArgsJson(args("cc", 60))
                        .build(),
                    observer(answer)));
    awaitStarted("cc");
    ctx.cancel(null);
    assertThat(reasonSeenBy("cc")).isEqualTo("cancelled");
  }

  @Test
  void aClientDeadlineBecomesTheRunsDeadline() throws Exception {
    List<RunEvent> events = new CopyOnWriteArrayList<>();
    Throwable t =
        catchThrowable(
            () ->
                ts.blocking()
                    .withDeadlineAfter(2, TimeUnit.SECONDS)
                    .runWorkflow(
                        RunWorkflowRequest.newBuilder()
                            .setName("slow")
                            .setInputJson(input("rdl", 60))
                            .build())
                    .forEachRemaining(events::add));
    assertThat(code(t)).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(reasonSeenBy("rdl")).isEqualTo("deadline_exceeded");
    RunInfo info = awaitFinished(runId(events));
    assertThat(info.getState()).isEqualTo(RunState.RUN_STATE_FAILED);
    assertThat(info.getFailure().getCode()).isEqualTo(Code.DEADLINE_EXCEEDED);
  }

  @Test
  void aClientCancelCancelsTheRun() throws Exception {
    Context.CancellableContext ctx = Context.current().withCancellation();
    List<RunEvent> events = new CopyOnWriteArrayList<>();
    ctx.run(
        () ->
            ts.async()
                .runWorkflow(
                    RunWorkflowRequest.newBuilder()
                        .setName("slow")
                        .setInputJson(input("rc", 60))
                        .build(),
                    collect(events)));
    awaitStarted("rc");
    ctx.cancel(null);
    assertThat(reasonSeenBy("rc")).isEqualTo("cancelled");
    assertThat(awaitFinished(runId(events)).getState()).isEqualTo(RunState.RUN_STATE_CANCELLED);
  }

  @Test
  void aDroppedConnectionCancelsItsRunAndItsCalls() throws Exception {
    try (TcpForwarder relay = new TcpForwarder(ts.server.port())) {
      ManagedChannel viaRelay =
          NettyChannelBuilder.forAddress("127.0.0.1", relay.port()).usePlaintext().build();
      try {
        BraidGrpc.BraidStub s =
            BraidGrpc.newStub(viaRelay).withInterceptors(TestServer.bearer(TestServer.TOKEN));
        List<RunEvent> events = new CopyOnWriteArrayList<>();
        s.runWorkflow(
            RunWorkflowRequest.newBuilder().setName("slow").setInputJson(input("drop", 60)).build(),
            collect(events));
        s.invoke(
            InvokeRequest.newBuilder()
                .setFunction("python:server_funcs:sleep_marked")
                .setArgsJson(args("dropcall", 60))
                .build(),
            observer(new CompletableFuture<>()));
        awaitStarted("drop");
        awaitStarted("dropcall");
        String runId = runId(events);

        relay.drop();

        assertThat(reasonSeenBy("drop")).isEqualTo("cancelled");
        assertThat(reasonSeenBy("dropcall")).isEqualTo("cancelled");
        assertThat(awaitFinished(runId).getState()).isEqualTo(RunState.RUN_STATE_CANCELLED);
      } finally {
        viaRelay.shutdownNow();
      }
    }
  }

  @Test
  void aClientCancelClosesTheGenerator() throws Exception {
    Context.CancellableContext ctx = Context.current().withCancellation();
    Iterator<InvokeStreamResponse> it =
        ctx.call(
            () ->
                stub.invokeStream(
                    InvokeStreamRequest.newBuilder()
                        .setFunction("python:server_funcs:ticks_marked")
                        .setArgsJson("[\"" + folder + "\", \"gen\", 0.05]")
                        .build()));
    assertThat(it.next().getItemJson()).isEqualTo("0");
    assertThat(it.next().getItemJson()).isEqualTo("1");
    ctx.cancel(null);
    assertThat(reasonSeenBy("gen")).isEqualTo("cancelled");
  }

  @Test
  void aClientDeadlineEndsTheGenerator() throws Exception {
    Throwable t =
        catchThrowable(
            () ->
                ts.blocking()
                    .withDeadlineAfter(1500, TimeUnit.MILLISECONDS)
                    .invokeStream(
                        InvokeStreamRequest.newBuilder()
                            .setFunction("python:server_funcs:ticks_marked")
                            .setArgsJson("[\"" + folder + "\", \"gendl\", 0.05]")
                            .build())
                    .forEachRemaining(i -> {}));
    assertThat(code(t)).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(reasonSeenBy("gendl")).isEqualTo("deadline_exceeded");
  }

  private static String runId(List<RunEvent> events) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (events.isEmpty() && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(events).as("events of the run (stream errors: %s)", STREAM_ERRORS).isNotEmpty();
    return events.get(0).getRunId();
  }

  private static RunInfo awaitFinished(String runId) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    RunInfo info;
    do {
      info = stub.getRun(GetRunRequest.newBuilder().setRunId(runId).build());
      if (info.getState() != RunState.RUN_STATE_RUNNING) {
        return info;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < end);
    return info;
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<T> answer) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T v) {
        answer.complete(v);
      }

      @Override
      public void onError(Throwable t) {
        answer.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    };
  }

  /** Errors of the collecting observers, for the messages of failed assertions. */
  private static final List<Throwable> STREAM_ERRORS = new CopyOnWriteArrayList<>();

  private static StreamObserver<RunEvent> collect(List<RunEvent> events) {
    return new StreamObserver<>() {
      @Override
      public void onNext(RunEvent e) {
        events.add(e);
      }

      @Override
      public void onError(Throwable t) {
        STREAM_ERRORS.add(t);
      }

      @Override
      public void onCompleted() {}
    };
  }
}
