package dev.braid.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateway leases on a real PostgreSQL ({@link PostgresServer}): fencing of a gateway whose lease
 * expired, claims that never hand one run to two gateways, and cancels and signals that reach the
 * owner through the store + NOTIFY (docs/durability.md, "Several gateways").
 */
@Timeout(120)
class GatewayLeaseTest {
  private static final String DEFINITION = "name: demo\nsteps:\n  a: { call: python:m:f }\n";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LEASE = Duration.ofSeconds(1);

  private String location;
  private final List<RunStore> opened = new ArrayList<>();

  @BeforeEach
  void database() {
    location = PostgresServer.freshDatabase();
  }

  @AfterEach
  void closeStores() {
    opened.forEach(RunStore::close);
  }

  private RunStore open() {
    RunStore s =
        RunStores.open(
            new StoreConfig(location, StoreConfig.Sync.NORMAL, StoreConfig.Budgets.DEFAULT, false));
    opened.add(s);
    return s;
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  /** Calls fenceExpired on {@code by} until it fences {@code gateway} (bounded). */
  private static void fenceWhenExpired(GatewayLease by, String gateway) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!by.fenceExpired().contains(gateway)) {
      assertThat(System.nanoTime() - deadline).as("%s fenced within 30 s", gateway).isNegative();
      Thread.sleep(100);
    }
  }

  @Test
  void aGatewayWhoseLeaseExpiredIsFencedAndItsWritesAreRefused() throws Exception {
    RunStore a = open();
    GatewayLease la = a.join("gw-a", LEASE);
    RunStore b = open();
    GatewayLease lb = b.join("gw-b", Duration.ofSeconds(30));
    assertThat(a.owner()).isEqualTo("gw-a");
    RunStore.Claimed run = a.create("demo", DEFINITION, json("{}"), null);
    run.journal().attemptStarting("a", 1).get(30, TimeUnit.SECONDS);
    long epoch = la.epoch();

    // a stops renewing (as a frozen or cut-off gateway would); b finds the lease expired
    fenceWhenExpired(lb, "gw-a");

    assertThatThrownBy(() -> run.journal().attemptStarting("b", 1).get(30, TimeUnit.SECONDS))
        .cause()
        .hasMessageContaining("was taken over by another gateway");
    assertThatThrownBy(() -> a.create("demo", DEFINITION, json("{}"), null))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("gw-a has lost its lease");
    assertThat(la.renew()).as("a fenced gateway cannot renew").isFalse();
    StoredRun released = b.get(run.run().runId()).orElseThrow();
    assertThat(released.owner()).isNull();
    assertThat(released.ownerEpoch()).isEqualTo(2);

    // b takes the run and resumes it from what a journaled
    assertThat(lb.claimReleased(10)).containsExactly(run.run().runId());
    RunStore.Claimed taken = b.claim(run.run().runId());
    assertThat(taken.run().owner()).isEqualTo("gw-b");
    assertThat(taken.journal().lastAttempt("a")).isEqualTo(1);
    taken.journal().attemptStarting("b", 1).get(30, TimeUnit.SECONDS);

    // a joins again with a new epoch, and cannot take b's run
    la.rejoin();
    assertThat(la.epoch()).isGreaterThan(epoch);
    assertThatThrownBy(() -> a.claim(run.run().runId()))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("is run by gateway gw-b");
    assertThat(la.claimReleased(10)).isEmpty();
  }

  @Test
  void aLiveGatewaysRunsAreNeitherFencedNorClaimedByAnother() throws Exception {
    RunStore a = open();
    GatewayLease la = a.join("gw-a", Duration.ofSeconds(30));
    RunStore b = open();
    GatewayLease lb = b.join("gw-b", Duration.ofSeconds(30));
    RunStore.Claimed run = a.create("demo", DEFINITION, json("{}"), null);
    assertThat(la.renew()).isTrue();
    assertThat(lb.fenceExpired()).isEmpty();
    assertThat(lb.claimReleased(10)).isEmpty();
    assertThatThrownBy(() -> b.claim(run.run().runId()))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("is run by gateway gw-a");
    run.journal().attemptStarting("a", 1).get(30, TimeUnit.SECONDS);
  }

  @Test
  void releasedRunsAreClaimedOnceAcrossGateways() throws Exception {
    RunStore a = open();
    a.join("gw-a", Duration.ofSeconds(30));
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      ids.add(a.create("demo", DEFINITION, json("{}"), null).run().runId());
    }
    GatewayLease lb = open().join("gw-b", Duration.ofSeconds(30));
    GatewayLease lc = open().join("gw-c", Duration.ofSeconds(30));
    a.lease().orElseThrow().close(); // leaving releases its runs
    List<String> byB = new ArrayList<>();
    List<String> byC = new ArrayList<>();
    // both claim at once, in small batches, until nothing is left
    CompletableFuture<Void> b =
        CompletableFuture.runAsync(
            () -> {
              List<String> got;
              while (!(got = lb.claimReleased(3)).isEmpty()) {
                byB.addAll(got);
              }
            });
    List<String> got;
    while (!(got = lc.claimReleased(3)).isEmpty()) {
      byC.addAll(got);
    }
    b.get(60, TimeUnit.SECONDS);
    assertThat(byB).doesNotHaveDuplicates().doesNotContainAnyElementsOf(byC);
    Set<String> all = new HashSet<>(byB);
    all.addAll(byC);
    assertThat(all).isEqualTo(ids);
  }

  @Test
  void aCancelFromAnotherGatewayWakesTheOwnerAndIsListedForIt() throws Exception {
    RunStore a = open();
    GatewayLease la = a.join("gw-a", Duration.ofSeconds(30));
    RunStore b = open();
    b.join("gw-b", Duration.ofSeconds(30));
    String id = a.create("demo", DEFINITION, json("{}"), null).run().runId();
    assertThat(la.awaitWakeUp(Duration.ofMillis(50))).as("LISTEN set up, nothing yet").isFalse();
    assertThat(la.cancelsRequested()).isEmpty();

    b.requestCancel(id);

    assertThat(la.awaitWakeUp(Duration.ofSeconds(30))).as("woken by NOTIFY").isTrue();
    assertThat(la.cancelsRequested()).containsExactly(id);
  }

  @Test
  void aSignalFromAnotherGatewayReachesTheOwnersLiveJournalOnce() throws Exception {
    RunStore a = open();
    GatewayLease la = a.join("gw-a", Duration.ofSeconds(30));
    RunStore b = open();
    b.join("gw-b", Duration.ofSeconds(30));
    RunStore.Claimed run = a.create("demo", DEFINITION, json("{}"), null);
    CompletableFuture<JsonNode> waiting = run.journal().nextSignal("approve", "wait");
    assertThat(la.awaitWakeUp(Duration.ofMillis(50))).isFalse();

    b.signal(run.run().runId(), "approve", json("{\"ok\": true}"));

    assertThat(la.awaitWakeUp(Duration.ofSeconds(30))).isTrue();
    assertThat(la.deliverSignals()).isEqualTo(1);
    assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(json("{\"ok\": true}"));
    // delivered again (a later poll before it is consumed): still one signal for one waiter
    CompletableFuture<JsonNode> second = run.journal().nextSignal("approve", "again");
    la.deliverSignals();
    assertThat(second).isNotDone();
  }

  @Test
  void joiningReleasesRunsOfProcessesWithoutALease() throws Exception {
    RunStore old = open(); // a braid serve from before leases, or braid run on this store
    String id = old.create("demo", DEFINITION, json("{}"), null).run().runId();
    RunStore a = open();
    GatewayLease la = a.join("gw-a", Duration.ofSeconds(30));
    assertThat(la.claimReleased(10)).containsExactly(id);
    assertThat(a.claim(id).run().owner()).isEqualTo("gw-a");
    // and a run of a gateway that holds a lease is not released by another joining
    String mine = a.create("demo", DEFINITION, json("{}"), null).run().runId();
    GatewayLease lb = open().join("gw-b", Duration.ofSeconds(30));
    assertThat(lb.claimReleased(10)).isEmpty();
    assertThat(a.get(mine).orElseThrow().owner()).isEqualTo("gw-a");
  }

  @Test
  void sqliteRefusesToBeShared(@TempDir java.nio.file.Path dir) {
    RunStore s =
        RunStores.open(
            new StoreConfig(
                dir.resolve("braid.db").toString(),
                StoreConfig.Sync.NORMAL,
                StoreConfig.Budgets.DEFAULT,
                false));
    opened.add(s);
    assertThatThrownBy(() -> s.join("gw-a", LEASE))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("several gateways need a PostgreSQL store");
  }
}
