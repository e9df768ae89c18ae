package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.Braid;
import dev.braid.gateway.store.GatewayLease;
import dev.braid.gateway.store.PostgresServer;
import dev.braid.gateway.store.RunStatus;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.RunStores;
import dev.braid.gateway.store.StoreConfig;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.EventStatus;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.StartWorkflowRequest;
import dev.braid.proto.api.v1.WatchRunRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live gateway that loses its lease (another gateway found it expired — a stall, a cut link to
 * the database — and fenced it) stops its runs, joins again with a new epoch, and the run is
 * resumed by replay: the step in flight runs again, the completed one does not.
 */
@Timeout(180)
class LostLeaseTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path folder;

  private List<String> calls(Path marks, String tag) throws Exception {
    Path f = marks.resolve(tag + ".calls");
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  @Test
  void aFencedGatewayStopsItsRunsJoinsAgainAndTheRunIsResumed() throws Exception {
    String location = PostgresServer.freshDatabase();
    Path marks = Files.createDirectory(folder.resolve("marks"));
    StoreConfig config =
        new StoreConfig(location, StoreConfig.Sync.NORMAL, StoreConfig.Budgets.DEFAULT, false);
    try (Braid braid =
            Braid.start(
                TestServer.workerConfig(DurableServerContract.FLOWS)
                    .defaultGrace(Duration.ofMillis(500))
                    .build());
        RunStore store = RunStores.open(config);
        RunStore other = RunStores.open(config)) {
      GatewayLease lease = store.join("gw-a", Duration.ofSeconds(2));
      long epoch = lease.epoch();
      GatewayLease fencer = other.join("gw-b", Duration.ofSeconds(60));
      // closed before the store: the server first, then the client's channel
      List<AutoCloseable> toClose = new ArrayList<>();
      try {
        run(braid, store, lease, epoch, fencer, location, marks, toClose);
      } finally {
        for (AutoCloseable c : toClose) {
          c.close();
        }
      }
    }
  }

  private void run(
      Braid braid,
      RunStore store,
      GatewayLease lease,
      long epoch,
      GatewayLease fencer,
      String location,
      Path marks,
      List<AutoCloseable> toClose)
      throws Exception {
    {
      BraidServer server =
          BraidServer.start(
              ServerConfig.builder()
                  .listen(new InetSocketAddress("127.0.0.1", 0))
                  .tokens(List.of(TestServer.TOKEN))
                  .workflowsDir(DurableServerContract.FLOWS)
                  .drainGrace(Duration.ofSeconds(1))
                  .cancelGrace(Duration.ofSeconds(5))
                  .build(),
              braid,
              null,
              "no sandbox in this test",
              store);
      toClose.add(server::shutdown);
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port())
              .usePlaintext()
              .intercept(TestServer.bearer(TestServer.TOKEN))
              .build();
      toClose.add(channel::shutdownNow);
      BraidGrpc.BraidBlockingStub stub =
          BraidGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
      String id =
          stub.startWorkflow(
                  StartWorkflowRequest.newBuilder()
                      .setName("gated")
                      .setInputJson("{\"folder\": " + JSON.valueToTree(marks.toString()) + "}")
                      .build())
              .getRunId();
      assertThat(TestServer.await(marks.resolve("gate.started"), Duration.ofSeconds(60))).isTrue();

      // gw-a's lease runs out as if it had stalled; gw-b fences it
      try (Connection c = PostgresServer.connect(location);
          Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE gateway SET expires_at = 0 WHERE gateway_id = 'gw-a'");
      }
      assertThat(fencer.fenceExpired()).containsExactly("gw-a");

      // gw-a notices at its next renewal, stops the run, joins again and takes it back
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (calls(marks, "gate").size() < 2) {
        assertThat(System.nanoTime() - deadline).as("gate ran again within 60 s").isNegative();
        Thread.sleep(50);
      }
      assertThat(lease.epoch()).isGreaterThan(epoch);
      Files.writeString(marks.resolve("release"), "go");

      List<RunEvent> events = new ArrayList<>();
      BraidGrpc.newBlockingStub(channel)
          .withDeadlineAfter(120, TimeUnit.SECONDS)
          .watchRun(WatchRunRequest.newBuilder().setRunId(id).build())
          .forEachRemaining(events::add);
      RunEvent end = events.get(events.size() - 1);
      assertThat(end.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);
      assertThat(end.getResultJson()).isEqualTo("\"last\"");
      assertThat(calls(marks, "first")).containsExactly("1");
      assertThat(calls(marks, "gate")).containsExactly("1", "2");
      assertThat(calls(marks, "last")).containsExactly("1");
      // the stream may show the end a moment before the store's commit of it: wait (bounded)
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (store.get(id).orElseThrow().status() == RunStatus.RUNNING) {
        assertThat(System.nanoTime() - until).as("run %s final in the store", id).isNegative();
        Thread.sleep(20);
      }
      assertThat(store.get(id).orElseThrow().status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(store.get(id).orElseThrow().owner()).isNull(); // finished runs have no owner
    }
  }
}
