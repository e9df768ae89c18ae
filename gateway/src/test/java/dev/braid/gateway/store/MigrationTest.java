package dev.braid.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.gateway.store.internal.Databases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

/**
 * A store made by the previous schema version (V1 only), with a run in it, opened by the current
 * code: migrated to the newest version, its data intact and resumable.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MigrationTest {
  @TempDir Path dir;

  @Test
  void aSqliteStoreOfTheFirstVersionIsMigrated() throws Exception {
    Path db = dir.resolve("old.db");
    SQLiteDataSource ds = new SQLiteDataSource();
    ds.setUrl("jdbc:sqlite:" + db);
    check(
        ds,
        db.toString(),
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'run_by_status_created'");
  }

  @Test
  void aPostgresStoreOfTheFirstVersionIsMigrated() throws Exception {
    String location = PostgresServer.freshDatabase();
    var url = dev.braid.gateway.store.internal.PgUrl.parse(location);
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url.jdbcUrl());
    ds.setUser(url.user());
    if (url.password() != null) {
      ds.setPassword(url.password());
    }
    check(
        ds, location, "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'run_by_status_created'");
  }

  private void check(DataSource ds, String location, String indexQuery) throws Exception {
    Flyway.configure().dataSource(ds).locations(Databases.MIGRATIONS).target("1").load().migrate();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO definition (sha, text) VALUES ('abc', 'name: old\n')");
      s.executeUpdate(
          "INSERT INTO run (run_id, workflow, definition_sha, input, status, owner, owner_epoch,"
              + " created) VALUES ('r-old', 'old', 'abc', '{\"n\": 1}', 'RUNNING', 'gone', 3, 1000)");
      s.executeUpdate(
          "INSERT INTO step_result (run_id, step_path, seq_no, attempt, outcome, recorded_at)"
              + " VALUES ('r-old', 'a', 0, 1, '{\"value\": 42}', 1001)");
      assertThat(count(s, indexQuery)).as("V2 not applied yet").isZero();
    }
    try (RunStore store =
        RunStores.open(
            new StoreConfig(
                location, StoreConfig.Sync.NORMAL, StoreConfig.Budgets.DEFAULT, false))) {
      StoredRun run = store.get("r-old").orElseThrow();
      assertThat(run.input().get("n").asInt()).isEqualTo(1);
      assertThat(run.ownerEpoch()).isEqualTo(3);
      RunStore.Claimed c = store.claim("r-old");
      assertThat(c.definition()).isEqualTo("name: old\n");
      RunJournal j = c.journal();
      assertThat(j.recorded("a"))
          .contains(StepOutcome.ok(com.fasterxml.jackson.databind.node.IntNode.valueOf(42)));
      assertThat(c.run().ownerEpoch()).isEqualTo(4);
    }
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertThat(count(s, indexQuery)).as("V2 applied").isEqualTo(1);
      assertThat(count(s, "SELECT COUNT(*) FROM schedule_slot")).as("V3 applied").isZero();
      assertThat(count(s, "SELECT MAX(CAST(version AS INTEGER)) FROM flyway_schema_history"))
          .isEqualTo(4);
      assertThat(count(s, "SELECT COUNT(*) FROM gateway")).as("V4 applied").isZero();
    }
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
