package dev.braid.gateway.console;

import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.RunStores;
import dev.braid.gateway.store.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

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
