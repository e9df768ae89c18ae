package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.EventStatus;
import dev.braid.proto.api.v1.EventType;
import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.InvokeResponse;
import dev.braid.proto.api.v1.ListFunctionsRequest;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 200 concurrent clients are held without an error; a burst beyond the limits is shed with
 * RESOURCE_EXHAUSTED while the slots and the queue stay within their bounds and memory does not
 * grow; then the server serves again.
 */
@Timeout(300)
class LoadTest {
  static final int RUNS = 32;
  static final int CALLS = 64;
  static final int QUEUED = 200;

  static TestServer ts;

  @BeforeAll
  static void start() throws Exception {
    ts =
        TestServer.start(
            b ->
                b.maxConcurrentRuns(RUNS)
                    .maxConcurrentCalls(CALLS)
                    .maxQueued(QUEUED)
                    .queueTimeout(Duration.ofSeconds(60)));
  }

  @AfterAll
  static void stop() {
    if (ts != null) {
      ts.close();
    }
  }

  @Test
  void holdsTwoHundredClientsThenShedsABurstAndRecovers() throws Exception {
    // 1. 200 clients, each on its own connection: 100 runs and 100 calls at once, more than the
    // slots, fewer than slots + queue: every one of them succeeds
    List<ManagedChannel> connections = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ManagedChannel c = ts.channel(TestServer.TOKEN);
      // connected before the test starts, so that the 200 requests really overlap
      BraidGrpc.newBlockingStub(c)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .listFunctions(ListFunctionsRequest.newBuilder().setLanguage("python").build());
      connections.add(c);
    }
    List<CompletableFuture<String>> clients = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      BraidGrpc.BraidStub s =
          BraidGrpc.newStub(connections.get(i)).withDeadlineAfter(120, TimeUnit.SECONDS);
      clients.add(i % 2 == 0 ? run(s, 1.0) : invoke(s, 1.0));
    }
    CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(150, TimeUnit.SECONDS);
    for (CompletableFuture<String> c : clients) {
      assertThat(c.join()).isEqualTo("1.0");
    }
    ServerStats held = ts.server.stats();
    assertThat(held.shed()).as("requests shed while holding 200 clients").isZero();
    assertThat(held.runsPeak()).isLessThanOrEqualTo(RUNS);
    assertThat(held.callsPeak()).isLessThanOrEqualTo(CALLS);
    assertThat(held.queuedPeak()).isGreaterThan(0).isLessThanOrEqualTo(QUEUED);

    long heapBefore = usedHeapAfterGc();

    // 2. a burst of 1000 calls of 3s on 10 connections: slots + queue take 264 (a few more if
    // calls finish while the burst is still being sent), the rest is shed at once
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      channels.add(ts.channel(TestServer.TOKEN));
    }
    Map<Status.Code, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    List<CompletableFuture<String>> burst = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      BraidGrpc.BraidStub s =
          BraidGrpc.newStub(channels.get(i % 10)).withDeadlineAfter(120, TimeUnit.SECONDS);
      burst.add(
          invoke(s, 3.0)
              .handle(
                  (v, e) -> {
                    Status.Code code =
                        e == null ? Status.Code.OK : Status.fromThrowable(e).getCode();
                    outcomes.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
                    return v;
                  }));
    }
    CompletableFuture.allOf(burst.toArray(CompletableFuture[]::new)).get(150, TimeUnit.SECONDS);
    int ok = count(outcomes, Status.Code.OK);
    int shed = count(outcomes, Status.Code.RESOURCE_EXHAUSTED);
    assertThat(ok + shed).as("outcomes %s", outcomes).isEqualTo(1000);
    assertThat(ok).isGreaterThanOrEqualTo(CALLS + QUEUED);
    assertThat(shed).isGreaterThanOrEqualTo(1000 - 2 * CALLS - QUEUED);

    ServerStats after = ts.server.stats();
    assertThat(after.callsPeak()).isLessThanOrEqualTo(CALLS);
    assertThat(after.queuedPeak()).isLessThanOrEqualTo(QUEUED);
    assertThat(after.shed()).isEqualTo(shed);
    long heapAfter = usedHeapAfterGc();
    assertThat(heapAfter - heapBefore)
        .as("heap growth after the burst, bytes")
        .isLessThan(64L << 20);

    // 3. the server recovers: nothing left in flight, and a new call is served at once
    assertThat(after.inFlight()).isZero();
    assertThat(after.queued()).isZero();
    InvokeResponse r =
        ts.blocking()
            .invoke(
                InvokeRequest.newBuilder()
                    .setFunction("python:server_funcs:add")
                    .setArgsJson("[1, 2]")
                    .build());
    assertThat(r.getValueJson()).isEqualTo("3");
  }

  private static int count(Map<Status.Code, AtomicInteger> m, Status.Code c) {
    AtomicInteger n = m.get(c);
    return n == null ? 0 : n.get();
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return mem.getHeapMemoryUsage().getUsed();
  }

  private static CompletableFuture<String> invoke(BraidGrpc.BraidStub s, double seconds) {
    CompletableFuture<String> done = new CompletableFuture<>();
    s.invoke(
        InvokeRequest.newBuilder()
            .setFunction("python:server_funcs:sleep")
            .setArgsJson("[" + seconds + "]")
            .build(),
        new StreamObserver<>() {
          @Override
          public void onNext(InvokeResponse r) {
            done.complete(r.getValueJson());
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    return done;
  }

  private static CompletableFuture<String> run(BraidGrpc.BraidStub s, double seconds) {
    CompletableFuture<String> done = new CompletableFuture<>();
    s.runWorkflow(
        RunWorkflowRequest.newBuilder()
            .setName("nap")
            .setInputJson("{\"seconds\": " + seconds + "}")
            .build(),
        new StreamObserver<>() {
          @Override
          public void onNext(RunEvent e) {
            if (e.getType() == EventType.EVENT_TYPE_RUN_FINISHED) {
              done.complete(
                  e.getStatus() == EventStatus.EVENT_STATUS_OK
                      ? e.getResultJson()
                      : "run failed: " + e.getError());
            }
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            done.complete("stream ended without an outcome");
          }
        });
    return done;
  }
}
