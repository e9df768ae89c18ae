package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.Braid;
import dev.braid.gateway.store.RunStatus;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.RunStores;
import dev.braid.gateway.store.StoreConfig;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.CancelRunRequest;
import dev.braid.proto.api.v1.Code;
import dev.braid.proto.api.v1.EventStatus;
import dev.braid.proto.api.v1.EventType;
import dev.braid.proto.api.v1.GetRunRequest;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunInfo;
import dev.braid.proto.api.v1.RunState;
import dev.braid.proto.api.v1.SignalRunRequest;
import dev.braid.proto.api.v1.StartWorkflowRequest;
import dev.braid.proto.api.v1.WatchRunRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BraidServer} on a durable store, in process, over real gRPC and real Python workers: runs
 * are kept in the store, readable after a restart of the server, left to resume by its shutdown,
 * resumed by the next server; WatchRun resumes after a reconnect without gap or duplicate;
 * CancelRun and SignalRun reach runs no server runs; retention prunes. Each test has a store of its
 * own; subclasses say which kind.
 */
@Timeout(240)
abstract class DurableServerContract {
  static final Path FLOWS =
      Path.of("src/test/java/dev/braid/gateway/server/fixtures/durable").toAbsolutePath();
  private static final String INVOKE_ONLY = "invoke-only-" + Long.toHexString(System.nanoTime());
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Braid braid;

  @TempDir Path folder;
  private Path marks;
  private RunStore store;
  private BraidServer server;
  private final List<ManagedChannel> channels = new ArrayList<>();

  /** The location of a fresh, empty store for one test. */
  abstract String newLocation(Path folder);

  @BeforeAll
  static void startWorkers() throws Exception {
    braid =
        Braid.start(TestServer.workerConfig(FLOWS).defaultGrace(Duration.ofMillis(500)).build());
    braid.catalog("python").get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopWorkers() {
    if (braid != null) {
      braid.close();
    }
  }

  @BeforeEach
  void openStore() throws IOException {
    marks = Files.createDirectory(folder.resolve("marks"));
    store =
        RunStores.open(
            new StoreConfig(
                newLocation(folder), StoreConfig.Sync.NORMAL, StoreConfig.Budgets.DEFAULT, false));
  }

  @AfterEach
  void closeAll() {
    stopServer();
    if (store != null) {
      store.close();
    }
  }

  private void startServer() throws IOException {
    startServer(b -> b);
  }

  private void startServer(UnaryOperator<ServerConfig.Builder> tweak) throws IOException {
    ServerConfig config =
        tweak
            .apply(
                ServerConfig.builder()
                    .listen(new InetSocketAddress("127.0.0.1", 0))
                    .tokens(List.of(TestServer.TOKEN, INVOKE_ONLY))
                    .tokenScopes(
                        Map.of(
                            TestServer.TOKEN,
                            EnumSet.allOf(TokenScope.class),
                            INVOKE_ONLY,
                            Set.of(TokenScope.INVOKE)))
                    .workflowsDir(FLOWS)
                    .drainGrace(Duration.ofSeconds(1))
                    .cancelGrace(Duration.ofSeconds(5)))
            .build();
    server = BraidServer.start(config, braid, null, "no sandbox in this test", store);
  }

  private void stopServer() {
    // the server first: its streams must end by its shutdown, not by the client's channel closing
    if (server != null) {
      server.shutdown();
      server = null;
    }
    synchronized (channels) {
      channels.forEach(ManagedChannel::shutdownNow);
      channels.clear();
    }
  }

  private void restartServer() throws Exception {
    stopServer();
    startServer();
    server.resumed().get(60, TimeUnit.SECONDS);
  }

  private BraidGrpc.BraidBlockingStub stub(String token) {
    ManagedChannel c =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port())
            .usePlaintext()
            .intercept(TestServer.bearer(token))
            .build();
    synchronized (channels) {
      channels.add(c);
    }
    return BraidGrpc.newBlockingStub(c).withDeadlineAfter(90, TimeUnit.SECONDS);
  }

  private BraidGrpc.BraidBlockingStub stub() {
    return stub(TestServer.TOKEN);
  }

  private String start(String workflow) {
    return stub()
        .startWorkflow(
            StartWorkflowRequest.newBuilder()
                .setName(workflow)
                .setInputJson("{\"folder\": " + JSON.valueToTree(marks.toString()) + "}")
                .build())
        .getRunId();
  }

  /** Every event from {@code from} to the outcome. */
  private List<RunEvent> watch(String runId, long from) {
    List<RunEvent> out = new ArrayList<>();
    stub()
        .watchRun(WatchRunRequest.newBuilder().setRunId(runId).setFromSeq(from).build())
        .forEachRemaining(out::add);
    return out;
  }

  /** Watches a run until an event of {@code type} for {@code step}. */
  private void awaitEvent(String runId, EventType type, String step) {
    Context.CancellableContext ctx = Context.current().withCancellation();
    try {
      Iterator<RunEvent> it =
          ctx.call(() -> stub().watchRun(WatchRunRequest.newBuilder().setRunId(runId).build()));
      RunEvent e;
      do {
        e = it.next();
      } while (!(e.getType() == type && e.getStep().equals(step)));
    } catch (Exception e) {
      throw new AssertionError("no " + type + " of " + step + " in run " + runId, e);
    } finally {
      ctx.cancel(null);
    }
  }

  private RunInfo get(String runId) {
    return stub().getRun(GetRunRequest.newBuilder().setRunId(runId).build());
  }

  private List<String> calls(String tag) throws IOException {
    Path f = marks.resolve(tag + ".calls");
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  private static List<Long> seqs(List<RunEvent> events) {
    return events.stream().map(RunEvent::getSeq).toList();
  }

  private static List<Long> range(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  private static RunEvent last(List<RunEvent> events) {
    assertThat(events).isNotEmpty();
    return events.get(events.size() - 1);
  }

  private String definition(String workflow) throws IOException {
    return Files.readString(FLOWS.resolve(workflow + ".yaml"));
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void aFinishedRunIsReadAfterTheServerRestarted() throws Exception {
    startServer();
    String id = start("quick");
    List<RunEvent> live = watch(id, 0);
    assertThat(last(live).getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);

    restartServer();

    RunInfo info = get(id);
    assertThat(info.getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
    assertThat(info.getResultJson()).isEqualTo("\"quick\"");
    assertThat(info.getWorkflow()).isEqualTo("quick");
    assertThat(info.getNextSeq()).isEqualTo(live.size());
    List<RunEvent> stored = watch(id, 0);
    assertThat(seqs(stored)).isEqualTo(range(0, live.size()));
    assertThat(stored.stream().map(RunEvent::getType).toList())
        .isEqualTo(live.stream().map(RunEvent::getType).toList());
    assertThat(last(stored).getType()).isEqualTo(EventType.EVENT_TYPE_RUN_FINISHED);
    assertThat(last(stored).getResultJson()).isEqualTo("\"quick\"");
    // from a sequence number: exactly the rest
    assertThat(seqs(watch(id, 2))).isEqualTo(range(2, live.size()));
    assertThat(calls("quick")).containsExactly("1");
  }

  @Test
  void shutdownLeavesARunToResumeAndTheNextServerFinishesIt() throws Exception {
    startServer();
    String id = start("gated");
    assertThat(TestServer.await(marks.resolve("gate.started"), Duration.ofSeconds(60))).isTrue();
    Iterator<RunEvent> watching =
        stub().watchRun(WatchRunRequest.newBuilder().setRunId(id).build());
    List<RunEvent> firstLife = new ArrayList<>();
    firstLife.add(watching.next());

    stopServer();

    // the watch ended UNAVAILABLE, not with an outcome; the run is still unfinished in the store
    assertThatThrownBy(() -> watching.forEachRemaining(firstLife::add))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThat(firstLife).noneMatch(e -> e.getType() == EventType.EVENT_TYPE_RUN_FINISHED);
    assertThat(store.get(id).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);

    Files.writeString(marks.resolve("release"), "go");
    restartServer();

    List<RunEvent> all = watch(id, 0);
    assertThat(seqs(all)).isEqualTo(range(0, all.size()));
    assertThat(last(all).getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);
    assertThat(last(all).getResultJson()).isEqualTo("\"last\"");
    assertThat(get(id).getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
    // the completed step did not run again; the one in flight ran again with the next attempt
    assertThat(calls("first")).containsExactly("1");
    assertThat(calls("gate")).containsExactly("1", "2");
    assertThat(calls("last")).containsExactly("1");
  }

  @Test
  void eventsPastTheMemoryWindowAreReadFromTheStore() throws Exception {
    // the server keeps only the last two events of a run in memory; the store has them all
    startServer(b -> b.runEventWindow(2));
    String id = start("gated");
    Files.writeString(marks.resolve("release"), "go");
    List<RunEvent> all = watch(id, 0);
    assertThat(all.size()).isGreaterThan(2);
    assertThat(seqs(all)).isEqualTo(range(0, all.size()));
    assertThat(last(all).getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);
    assertThat(all.get(0).getType()).isEqualTo(EventType.EVENT_TYPE_RUN_STARTED);
  }

  @Test
  void aRunWhoseDeadlinePassedWhileNoServerRanItFailsOnResume() throws Exception {
    startServer();
    String id =
        stub()
            .startWorkflow(
                StartWorkflowRequest.newBuilder()
                    .setName("gated")
                    .setInputJson("{\"folder\": " + JSON.valueToTree(marks.toString()) + "}")
                    .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(3))
                    .build())
            .getRunId();
    assertThat(TestServer.await(marks.resolve("gate.started"), Duration.ofSeconds(60))).isTrue();
    stopServer();
    Instant deadline = store.get(id).orElseThrow().deadline();
    assertThat(deadline).isNotNull();
    while (Instant.now().isBefore(deadline.plusMillis(200))) {
      Thread.sleep(50);
    }
    Files.writeString(marks.resolve("release"), "go");

    restartServer();

    List<RunEvent> events = watch(id, 0);
    RunEvent outcome = last(events);
    assertThat(outcome.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_FAILED);
    assertThat(outcome.getError().getCode()).isEqualTo(Code.DEADLINE_EXCEEDED);
    assertThat(outcome.getError().getMessage()).contains("while the run was not running");
    assertThat(get(id).getState()).isEqualTo(RunState.RUN_STATE_FAILED);
    // nothing ran again
    assertThat(calls("gate")).containsExactly("1");
    assertThat(calls("last")).isEmpty();
  }

  @Test
  void watchRunResumesAfterAReconnectWithNoGapAndNoDuplicate() throws Exception {
    startServer();
    String id = start("gated");
    List<RunEvent> before = new ArrayList<>();
    Context.CancellableContext ctx = Context.current().withCancellation();
    try {
      Iterator<RunEvent> it =
          ctx.call(() -> stub().watchRun(WatchRunRequest.newBuilder().setRunId(id).build()));
      while (true) {
        RunEvent e = it.next();
        before.add(e);
        if (e.getType() == EventType.EVENT_TYPE_ATTEMPT_STARTED && e.getStep().equals("gate")) {
          break;
        }
      }
    } finally {
      ctx.cancel(null);
    }
    long next = last(before).getSeq() + 1;
    Files.writeString(marks.resolve("release"), "go");
    List<RunEvent> after = watch(id, next);

    List<RunEvent> all = new ArrayList<>(before);
    all.addAll(after);
    assertThat(seqs(all)).isEqualTo(range(0, all.size()));
    assertThat(last(all).getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);
    // the same events as a watch from the start
    assertThat(watch(id, 0)).isEqualTo(all);
  }

  @Test
  void cancelRunMarksARunNoServerRunsAndItIsCancelledWhenResumed() throws Exception {
    startServer();
    // a run of the store that this server does not run (as if left by another gateway)
    String id =
        store
            .create(
                "quick",
                definition("quick"),
                JSON.createObjectNode().put("folder", marks.toString()),
                null)
            .run()
            .runId();

    RunInfo marked = stub().cancelRun(CancelRunRequest.newBuilder().setRunId(id).build());
    assertThat(marked.getState()).isEqualTo(RunState.RUN_STATE_RUNNING);
    assertThat(marked.getCancelRequested()).isTrue();
    assertThat(store.get(id).orElseThrow().cancelRequested()).isTrue();

    restartServer();

    List<RunEvent> events = watch(id, 0);
    assertThat(last(events).getStatus()).isEqualTo(EventStatus.EVENT_STATUS_CANCELLED);
    assertThat(get(id).getState()).isEqualTo(RunState.RUN_STATE_CANCELLED);
    // the watchers see the outcome as the run's log ends, a moment before the store row is final
    assertThat(storedStatusWithin(id, RunStatus.CANCELLED, Duration.ofSeconds(10)))
        .isEqualTo(RunStatus.CANCELLED);
  }

  /** The run's stored status once it is {@code wanted}, or as it is after {@code max}. */
  private RunStatus storedStatusWithin(String id, RunStatus wanted, Duration max)
      throws InterruptedException {
    long until = System.nanoTime() + max.toNanos();
    RunStatus s = store.get(id).orElseThrow().status();
    while (s != wanted && System.nanoTime() < until) {
      Thread.sleep(20);
      s = store.get(id).orElseThrow().status();
    }
    return s;
  }

  @Test
  void signalRunDeliversToAWaitingRun() throws Exception {
    startServer();
    String id = start("approval");
    assertThat(TestServer.await(marks.resolve("asked.calls"), Duration.ofSeconds(60))).isTrue();

    RunInfo info =
        stub()
            .signalRun(
                SignalRunRequest.newBuilder()
                    .setRunId(id)
                    .setName("approve")
                    .setPayloadJson("{\"ok\": true}")
                    .build());
    assertThat(info.getRunId()).isEqualTo(id);

    List<RunEvent> events = watch(id, 0);
    assertThat(last(events).getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);
    assertThat(last(events).getResultJson()).isEqualTo("{\"ok\":true}");
    assertThat(calls("asked")).containsExactly("1");
    assertThat(calls("done")).containsExactly("1");
  }

  @Test
  void aSignalToARunNoServerRunsIsJournaledAndDeliveredWhenItResumes() throws Exception {
    startServer();
    String id = start("approval");
    // the run waits in its signal step: the step before it has settled (and is journaled)
    awaitEvent(id, EventType.EVENT_TYPE_STEP_STARTED, "approve");
    stopServer();
    // the server is down: the signal goes to the store (what `braid signal` does), and a server
    // that is up takes it through SignalRun into the same journal
    store.signal(id, "approve", JSON.readTree("{\"by\": \"ops\"}"));

    restartServer();

    List<RunEvent> events = watch(id, 0);
    assertThat(last(events).getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);
    assertThat(last(events).getResultJson()).isEqualTo("{\"by\":\"ops\"}");
    assertThat(calls("asked")).containsExactly("1");
    assertThat(calls("done")).containsExactly("1");
  }

  @Test
  void signalRunThroughTheApiToARunNoServerRunsIsDeliveredWhenItResumes() throws Exception {
    startServer();
    String id =
        store
            .create(
                "approval",
                definition("approval"),
                JSON.createObjectNode().put("folder", marks.toString()),
                null)
            .run()
            .runId();
    stub()
        .signalRun(
            SignalRunRequest.newBuilder()
                .setRunId(id)
                .setName("approve")
                .setPayloadJson("[1, 2]")
                .build());

    restartServer();

    List<RunEvent> events = watch(id, 0);
    assertThat(last(events).getResultJson()).isEqualTo("[1,2]");
    assertThat(calls("done")).containsExactly("1");
  }

  @Test
  void signalRunRefusesUnknownAndFinishedRunsBadRequestsAndTokensWithoutTheRunScope()
      throws Exception {
    startServer();
    String done = start("quick");
    watch(done, 0);

    assertThat(signalStatus(TestServer.TOKEN, "run-nope", "approve", "{}"))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(signalStatus(TestServer.TOKEN, done, "approve", "{}"))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(signalStatus(TestServer.TOKEN, done, "approve", "{not json"))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(signalStatus(TestServer.TOKEN, done, "", "{}"))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(signalStatus(TestServer.TOKEN, done, "a\nb", "{}"))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(signalStatus(TestServer.TOKEN, done, "approve", "\"" + "x".repeat(70_000) + "\""))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(signalStatus(INVOKE_ONLY, done, "approve", "{}"))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  private Status.Code signalStatus(String token, String id, String name, String payload) {
    try {
      stub(token)
          .signalRun(
              SignalRunRequest.newBuilder()
                  .setRunId(id)
                  .setName(name)
                  .setPayloadJson(payload)
                  .build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void retentionPrunesFinishedRuns() throws Exception {
    startServer(
        b ->
            b.retentionAge(Duration.ofMillis(1))
                .retentionKeep(0)
                .retentionEvery(Duration.ofMillis(100))
                // only the store keeps finished runs: what retention prunes is gone
                .maxFinishedRuns(0));
    String id = start("quick");
    // not watched: it may be pruned as soon as it finishes (prune removes finished runs only)
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (store.get(id).isPresent() && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    assertThat(store.get(id)).isEmpty();
    assertThat(calls("quick")).containsExactly("1");
    assertThatThrownBy(() -> get(id))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }
}
