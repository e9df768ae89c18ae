package dev.braid.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.RunStores;
import dev.braid.gateway.store.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ConsoleRunsHttpTest} on a server that keeps its runs in a SQLite store. */
class ConsoleStoredRunsHttpTest extends ConsoleRunsHttpTest {
  private static Path dir;
  private static RunStore store;

  // hides ConsoleRunsHttpTest.start: JUnit runs only this one
  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("braid-console-store");
    store =
        RunStores.open(
            new StoreConfig(
                dir.resolve("braid.db").toString(),
                StoreConfig.Sync.NORMAL,
                StoreConfig.Budgets.DEFAULT,
                false));
    live = LiveConsole.start(store);
  }

  @Test
  void aRunOnlyTheStoreKeepsIsListedAndShownWithItsSteps() throws Exception {
    Path other = Files.createDirectory(dir.resolve("other"));
    StoreConfig config =
        new StoreConfig(
            other.resolve("braid.db").toString(),
            StoreConfig.Sync.NORMAL,
            StoreConfig.Budgets.DEFAULT,
            false);
    String id;
    try (RunStore first = RunStores.open(config);
        LiveConsole before = LiveConsole.start(first)) {
      LiveConsole shared = live;
      live = before;
      try {
        id = before.startRun("greet", "{\"name\": \"ada\"}");
        awaitStatus(login()[0], id, "succeeded");
      } finally {
        live = shared;
      }
    }
    // a new server on the same store: the run is in no server's memory, only in the store
    try (RunStore second = RunStores.open(config);
        LiveConsole after = LiveConsole.start(second)) {
      LiveConsole shared = live;
      live = after;
      try {
        String cookie = login()[0];
        JsonNode run = body(get("/api/runs/" + id, cookie));
        assertThat(run.get("run").get("status").asText()).isEqualTo("succeeded");
        assertThat(run.get("steps").findValuesAsText("step")).containsExactly("loud", "sum");
        assertThat(run.get("partial").asBoolean()).isFalse();
        JsonNode list = body(get("/api/runs?status=succeeded&workflow=greet", cookie));
        assertThat(list.get("runs").findValuesAsText("id")).containsExactly(id);
      } finally {
        live = shared;
      }
    }
  }

  @AfterAll
  static void stop() {
    try {
      if (live != null) {
        live.close();
      }
    } finally {
      if (store != null) {
        store.close();
      }
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (java.io.IOException e) {
        // a leftover temporary folder is harmless
      }
    }
  }
}
