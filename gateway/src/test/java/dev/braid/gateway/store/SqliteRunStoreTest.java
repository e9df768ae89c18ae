package dev.braid.gateway.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/** The {@link RunStoreContract} on a SQLite file. */
class SqliteRunStoreTest extends RunStoreContract {
  @TempDir Path dir;

  @Override
  String newLocation() {
    return dir.resolve("data").resolve("braid.db").toString();
  }

  @Override
  Connection rawConnection() throws SQLException {
    SQLiteConfig c = new SQLiteConfig();
    c.setBusyTimeout(10_000);
    return c.createConnection("jdbc:sqlite:" + location);
  }
}
