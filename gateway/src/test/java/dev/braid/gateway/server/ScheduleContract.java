package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.Braid;
import dev.braid.gateway.store.RunStatus;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.RunStores;
import dev.braid.gateway.store.StoreConfig;
import dev.braid.gateway.store.StoredRun;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.ListSchedulesRequest;
import dev.braid.proto.api.v1.ScheduleInfo;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code schedule:} in {@code braid serve} on a real store: slots fire on time (a cron of every
 * second), none twice across a restart, the latest one missed while no server ran fires once, the
 * store refuses a double start of a slot, the overlap policies, and ListSchedules. Each test has a
 * store and a folder of its own (a schedule fires by itself: it must not share a folder). Every
 * wait is bounded; nothing asserts how fast.
 */
@Timeout(180)
abstract class ScheduleContract {
  static final Path FIXTURES =
      Path.of("src/test/java/dev/braid/gateway/server/fixtures/schedules").toAbsolutePath();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Braid braid;

  @TempDir Path folder;
  private RunStore store;
  private BraidServer server;
  private final List<ManagedChannel> channels = new ArrayList<>();

  /** The location of a fresh, empty store for one test. */
  abstract String newLocation(Path folder);

  @BeforeAll
  static void startWorkers() throws Exception {
    braid =
        Braid.start(
            TestServer.workerConfig(FIXTURES.resolve("every"))
                .addPythonPath(FIXTURES)
                .defaultGrace(Duration.ofMillis(500))
                .build());
    braid.catalog("python").get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopWorkers() {
    if (braid != null) {
      braid.close();
    }
  }

  @BeforeEach
  void openStore() {
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

  private void startServer(String flows) throws IOException {
    ServerConfig config =
        ServerConfig.builder()
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .tokens(List.of(TestServer.TOKEN))
            .tokenScopes(Map.of(TestServer.TOKEN, EnumSet.allOf(TokenScope.class)))
            .workflowsDir(FIXTURES.resolve(flows))
            .drainGrace(Duration.ofMillis(200))
            .cancelGrace(Duration.ofSeconds(2))
            .build();
    server = BraidServer.start(config, braid, null, "no sandbox in this test", store);
  }

  private void stopServer() {
    if (server != null) {
      server.shutdown();
      server = null;
    }
    channels.forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }

  private BraidGrpc.BraidBlockingStub stub() {
    ManagedChannel c =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port())
            .usePlaintext()
            .intercept(TestServer.bearer(TestServer.TOKEN))
            .build();
    channels.add(c);
    return BraidGrpc.newBlockingStub(c).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private List<StoredRun> runsOf(String workflow) {
    return store.list(null, 1000).stream().filter(r -> r.workflow().equals(workflow)).toList();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  /** The run id of every whole second from {@code from} to {@code to}, to the second's slot. */
  private static Map<String, Instant> slotsById(String workflow, Instant from, Instant to) {
    Map<String, Instant> out = new HashMap<>();
    for (long s = from.getEpochSecond() - 1; s <= to.getEpochSecond() + 1; s++) {
      Instant slot = Instant.ofEpochSecond(s);
      String key = "braid-schedule:" + workflow + "@" + slot.toEpochMilli();
      out.put(UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString(), slot);
    }
    return out;
  }

  @Test
  void slotsFireOnceEachAcrossARestartAndTheLatestMissedOneFiresOnce() throws Exception {
    Instant begin = Instant.now();
    startServer("every");
    await("two scheduled runs", () -> runsOf("every").size() >= 2);
    stopServer();
    Instant lastBefore = store.lastSlot("every").orElseThrow();
    int before = runsOf("every").size();
    // at least two slots pass while no server runs
    Thread.sleep(2500);
    Instant restart = Instant.now();
    startServer("every");
    // the scheduler looked back at some moment in between; on a loaded machine a server takes
    // seconds to start, so "the latest missed slot" may be one after `restart`
    Instant started = Instant.now();
    await("two more runs after the restart", () -> runsOf("every").size() >= before + 2);
    stopServer();
    Instant end = Instant.now();

    Map<String, Instant> slots = slotsById("every", begin, end);
    List<Instant> fired = new ArrayList<>();
    for (StoredRun r : runsOf("every")) {
      assertThat(slots).as("run %s is a slot's run", r.runId()).containsKey(r.runId());
      fired.add(slots.get(r.runId()));
    }
    // one run per slot: ids are the slots', and no id is there twice
    assertThat(fired).doesNotHaveDuplicates();
    List<Instant> missed =
        fired.stream().filter(s -> s.isAfter(lastBefore) && s.isBefore(restart)).toList();
    long passed =
        slots.values().stream().filter(s -> s.isAfter(lastBefore) && s.isBefore(restart)).count();
    assertThat(passed).as("slots that passed while no server ran").isGreaterThanOrEqualTo(2);
    assertThat(missed)
        .as("slots fired for the time no server ran: not every one")
        .hasSizeLessThan(2);
    assertThat(fired)
        .as("the latest slot missed when the server came back fired")
        .anyMatch(s -> s.isAfter(lastBefore) && !s.isAfter(started));
    assertThat(store.lastSlot("every").orElseThrow())
        .isAfterOrEqualTo(fired.stream().max(Instant::compareTo).orElseThrow());
  }

  @Test
  void theStoreRefusesToStartASlotTwice() throws Exception {
    Instant slot = Instant.parse("2030-01-01T00:00:00Z");
    String id = UUID.randomUUID().toString();
    assertThat(store.createScheduled(id, "twice", "steps: {}", JSON.createObjectNode(), null, slot))
        .isPresent();
    assertThat(
            store.createScheduled(
                UUID.randomUUID().toString(),
                "twice",
                "steps: {}",
                JSON.createObjectNode(),
                null,
                slot))
        .isEmpty();
    // an earlier slot after a later one is refused too: slots only move forward
    assertThat(store.skipSlot("twice", slot.minusSeconds(1))).isFalse();
    assertThat(store.skipSlot("twice", slot.plusSeconds(1))).isTrue();
    assertThat(store.lastSlot("twice")).contains(slot.plusSeconds(1));
    assertThat(runsOf("twice")).extracting(StoredRun::runId).containsExactly(id);
  }

  @Test
  void overlapSkipLeavesTheRunningRunAloneAndRecordsTheSlots() throws Exception {
    startServer("skip");
    await("a first run", () -> runsOf("skip").size() == 1);
    Instant first = store.lastSlot("skip").orElseThrow();
    await(
        "two slots skipped",
        () -> store.lastSlot("skip").orElseThrow().isAfter(first.plusSeconds(1)));

    List<StoredRun> runs = runsOf("skip");
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).status()).isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void overlapCancelPreviousCancelsTheRunningRun() throws Exception {
    startServer("cancel");
    await("a first run", () -> runsOf("cancel").size() == 1);
    String firstId = runsOf("cancel").get(0).runId();
    await(
        "the first run cancelled",
        () -> store.get(firstId).orElseThrow().status() == RunStatus.CANCELLED);
    // the slot cancels the first run, then starts its own: the store may see them in that order
    await("the run of the slot that cancelled it", () -> runsOf("cancel").size() >= 2);
  }

  @Test
  void listSchedulesGivesTheNextFireTimes() throws Exception {
    startServer("skip");
    List<ScheduleInfo> all =
        stub()
            .listSchedules(ListSchedulesRequest.newBuilder().setNextCount(3).build())
            .getSchedulesList();

    assertThat(all).hasSize(1);
    ScheduleInfo s = all.get(0);
    assertThat(s.getWorkflow()).isEqualTo("skip");
    assertThat(s.getCron()).isEqualTo("* * * * * *");
    assertThat(s.getOverlap()).isEqualTo("skip");
    assertThat(s.getTimezone()).isEqualTo("Z");
    assertThat(s.getNextList()).hasSize(3);
    for (int i = 1; i < 3; i++) {
      assertThat(s.getNext(i).getSeconds() - s.getNext(i - 1).getSeconds()).isEqualTo(1);
    }
    assertThatThrownBy(
            () -> stub().listSchedules(ListSchedulesRequest.newBuilder().setNextCount(101).build()))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("INVALID_ARGUMENT: next_count > 100: 101");
  }
}
