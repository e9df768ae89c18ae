package dev.braid.gateway.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.gateway.secrets.SecretSources;
import dev.braid.gateway.server.BraidServer;
import dev.braid.gateway.server.ServerConfig;
import dev.braid.gateway.server.WorkflowFolder;
import dev.braid.gateway.store.RunStatus;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.RunStores;
import dev.braid.gateway.store.StoreConfig;
import dev.braid.gateway.store.StoredRun;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/scheduled under {@code braid serve}: the example's folder copied with its cron made fast
 * (every second instead of every five minutes), served with its secrets folder and a SQLite store;
 * the schedule starts a run by itself, with the schedule's input, and the stored result shows no
 * token. Every wait is bounded.
 */
@Timeout(120)
class ScheduledExampleTest {
  private static final Path EXAMPLE =
      Path.of(System.getProperty("braid.home"), "examples", "scheduled");

  @TempDir Path tmp;

  @Test
  void theServerStartsTheScheduledReportByItself() throws Exception {
    Path flows = Files.createDirectories(tmp.resolve("scheduled"));
    String flow = Files.readString(EXAMPLE.resolve("flow.yaml"));
    assertThat(flow).contains("cron: \"*/5 * * * *\"");
    Files.writeString(
        flows.resolve("flow.yaml"), flow.replace("cron: \"*/5 * * * *\"", "cron: \"* * * * * *\""));
    Files.copy(EXAMPLE.resolve("report.py"), flows.resolve("report.py"));
    Path secrets = EXAMPLE.resolve("dev-secrets");
    String token = Files.readString(secrets.resolve("REPORT_TOKEN")).strip();

    try (RunStore store =
            RunStores.open(
                new StoreConfig(
                    tmp.resolve("braid.db").toString(),
                    StoreConfig.Sync.NORMAL,
                    StoreConfig.Budgets.DEFAULT,
                    false));
        Braid braid =
            Braid.start(
                WorkflowFolder.scan(flows)
                    .configure(BraidConfig.builder())
                    .exposedRootsOnly(true)
                    .build())) {
      BraidServer server =
          BraidServer.start(
              ServerConfig.builder()
                  .listen(new InetSocketAddress("127.0.0.1", 0))
                  .authDisabled(true)
                  .workflowsDir(flows)
                  .secrets(SecretSources.of(System.getenv(), secrets))
                  .drainGrace(Duration.ofMillis(200))
                  .build(),
              braid,
              null,
              "no sandbox in this test",
              store);
      StoredRun done;
      try {
        done = awaitSucceeded(store);
      } finally {
        server.shutdown();
      }
      assertThat(done.workflow()).isEqualTo("flow");
      // the schedule's input, not the declared default
      assertThat(done.result().get("region").asText()).isEqualTo("us");
      assertThat(done.result().get("total").asInt()).isEqualTo(26);
      assertThat(done.toString()).doesNotContain(token);
    }
  }

  private static StoredRun awaitSucceeded(RunStore store) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      List<StoredRun> ok =
          store.list(RunStatus.SUCCEEDED, 10).stream().filter(r -> r.result() != null).toList();
      if (!ok.isEmpty()) {
        return ok.get(0);
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no scheduled run succeeded within 60 s");
  }
}
