package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.EventStatus;
import dev.braid.proto.api.v1.EventType;
import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.InvokeResponse;
import dev.braid.proto.api.v1.InvokeStreamRequest;
import dev.braid.proto.api.v1.InvokeStreamResponse;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nothing the server sends is larger than its message limit ({@code --max-message-bytes}): results,
 * stream items and run results that do not fit are refused with {@code RESOURCE_EXHAUSTED} naming
 * the limit; and the payload bytes held for requests in flight are bounded ({@code
 * --max-inflight-bytes}), past which requests are shed.
 */
@Timeout(120)
class OutboundLimitsTest {
  static final int MESSAGE = 64 << 10;
  static final int INFLIGHT = 160 << 10;

  static TestServer ts;
  static BraidGrpc.BraidBlockingStub stub;

  @BeforeAll
  static void start() throws Exception {
    ts = TestServer.start(b -> b.maxMessageBytes(MESSAGE).maxInflightBytes(INFLIGHT));
    stub = ts.blocking();
  }

  @AfterAll
  static void stop() {
    if (ts != null) {
      ts.close();
    }
  }

  private static InvokeRequest invoke(String function, String argsJson) {
    return InvokeRequest.newBuilder().setFunction(function).setArgsJson(argsJson).build();
  }

  @Test
  void invokeResultLargerThanTheMessageLimitIsRefusedAndTheServerServesOn() {
    Throwable t = catchThrowable(() -> stub.invoke(invoke("python:limits_funcs:big", "[200000]")));
    Status s = Status.fromThrowable(t);
    assertThat(s.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(s.getDescription())
        .contains("the result is 200002 bytes")
        .contains("--max-message-bytes " + MESSAGE);

    InvokeResponse ok = stub.invoke(invoke("python:limits_funcs:big", "[1000]"));
    assertThat(ok.getValueJson()).hasSize(1002);
  }

  @Test
  void streamItemLargerThanTheMessageLimitEndsTheStreamAfterTheItemsBeforeIt() {
    Iterator<InvokeStreamResponse> it =
        stub.invokeStream(
            InvokeStreamRequest.newBuilder()
                .setFunction("python:limits_funcs:growing")
                .setArgsJson("[[10, 20, 100000, 30]]")
                .build());
    List<InvokeStreamResponse> got = new ArrayList<>();
    Throwable t = catchThrowable(() -> it.forEachRemaining(got::add));
    assertThat(got).extracting(InvokeStreamResponse::getSeq).containsExactly(0L, 1L);
    Status s = Status.fromThrowable(t);
    assertThat(s.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(s.getDescription())
        .contains("item 2 is 100002 bytes")
        .contains("--max-message-bytes");
  }

  @Test
  void runResultLargerThanTheMessageLimitFailsTheRunSayingWhy() {
    String flow =
        """
        name: huge
        steps:
          make: { call: "python:limits_funcs:big", args: [100000] }
        output: "${{ steps.make }}"
        """;
    List<RunEvent> events = new ArrayList<>();
    stub.runWorkflow(RunWorkflowRequest.newBuilder().setDefinition(flow).build())
        .forEachRemaining(events::add);
    RunEvent last = events.get(events.size() - 1);
    assertThat(last.getType()).isEqualTo(EventType.EVENT_TYPE_RUN_FINISHED);
    assertThat(last.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_FAILED);
    assertThat(last.getResultJson()).isEmpty();
    assertThat(last.getError().getType()).isEqualTo("ResultTooLarge");
    assertThat(last.getError().getMessage())
        .contains("the run's result is 100002 bytes")
        .contains("--max-message-bytes");
  }

  @Test
  void requestsPastTheInflightBytesBudgetAreShedUntilTheHeldOnesFinish() throws Exception {
    // two slow calls hold 2 x ~60 KiB of the 160 KiB budget; a third of ~60 KiB does not fit
    String payload = "\"" + "p".repeat(60 << 10) + "\"";
    BraidGrpc.BraidStub async = ts.async().withDeadlineAfter(60, TimeUnit.SECONDS);
    List<CompletableFuture<InvokeResponse>> slow = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      CompletableFuture<InvokeResponse> f = new CompletableFuture<>();
      async.invoke(invoke("python:limits_funcs:hold", "[3, " + payload + "]"), observer(f));
      slow.add(f);
    }
    awaitHeld(2 * (60L << 10));

    Throwable shed =
        catchThrowable(
            () -> stub.invoke(invoke("python:limits_funcs:hold", "[0, " + payload + "]")));
    Status s = Status.fromThrowable(shed);
    assertThat(s.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(s.getDescription()).contains("--max-inflight-bytes " + INFLIGHT);
    // a small request still fits
    assertThat(stub.invoke(invoke("python:limits_funcs:big", "[3]")).getValueJson())
        .isEqualTo("\"xxx\"");

    for (CompletableFuture<InvokeResponse> f : slow) {
      assertThat(f.get(60, TimeUnit.SECONDS).getValueJson()).isEqualTo(Integer.toString(60 << 10));
    }
    awaitHeld(0);
    assertThat(
            stub.invoke(invoke("python:limits_funcs:hold", "[0, " + payload + "]")).getValueJson())
        .isEqualTo(Integer.toString(60 << 10));
    assertThat(ts.server.stats().inflightBytesPeak()).isLessThanOrEqualTo(INFLIGHT);
  }

  /** Waits (bounded) until the server holds at least {@code min} bytes, or none when 0. */
  private static void awaitHeld(long min) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      long held = ts.server.stats().inflightBytes();
      if (min == 0 ? held == 0 : held >= min) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("the server holds " + held + " bytes; expected " + min);
      }
      Thread.sleep(20);
    }
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<T> f) {
    return new StreamObserver<>() {
      private T last;

      @Override
      public void onNext(T value) {
        last = value;
      }

      @Override
      public void onError(Throwable t) {
        f.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        f.complete(last);
      }
    };
  }
}
