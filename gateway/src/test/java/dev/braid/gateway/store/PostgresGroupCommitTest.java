package dev.braid.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.gateway.engine.JournalException;
import dev.braid.gateway.store.internal.Databases;
import dev.braid.gateway.store.internal.GroupCommitter;
import dev.braid.gateway.store.internal.GroupCommitter.Fence;
import dev.braid.gateway.store.internal.GroupCommitter.Stmt;
import dev.braid.gateway.store.internal.GroupCommitter.Write;
import dev.braid.gateway.store.internal.PgUrl;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The writer's PostgreSQL path: a transaction sent as one multi-statement request. A raw
 * transaction holds the run's row lock, so that writes queue behind the writer's first one and
 * share the next transaction whatever the timing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PostgresGroupCommitTest {
  private static final String EVENT =
      "INSERT INTO run_event (run_id, seq, type, body) VALUES (?, ?, 'X', '{}')";
  private static final Fence FENCE = new Fence("r1", "me", 1);

  private String location;
  private Databases.Opened db;
  private GroupCommitter committer;
  private Connection blocker;

  @BeforeEach
  void open() throws SQLException {
    location = PostgresServer.freshDatabase();
    db =
        Databases.postgres(
            PgUrl.parse(location),
            new StoreConfig(location, StoreConfig.Sync.NORMAL, StoreConfig.Budgets.DEFAULT, false));
    try (Connection c = db.data().getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO run (run_id, workflow, definition_sha, input, status, owner, owner_epoch,"
              + " created) VALUES ('r1', 'w', 'x', '{}', 'RUNNING', 'me', 1, 0)");
    }
    committer = new GroupCommitter(db.data(), "test", true);
    blocker = PostgresServer.connect(location);
    blocker.setAutoCommit(false);
  }

  @AfterEach
  void close() throws SQLException {
    blocker.close();
    committer.close();
    db.data().close();
  }

  private static Write event(Fence f, long seq) {
    return new Write(f, seq + 1, 0, List.of(Stmt.of(EVENT, f.runId(), seq)));
  }

  private long count(String sql) throws SQLException {
    try (Connection c = PostgresServer.connect(location);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Holds the run row's lock, submits a write, waits until the writer blocks on the lock. */
  private CompletableFuture<Void> firstBlocked() throws Exception {
    try (Statement s = blocker.createStatement()) {
      s.executeQuery("SELECT 1 FROM run WHERE run_id = 'r1' FOR UPDATE").close();
    }
    CompletableFuture<Void> f = committer.submit(event(FENCE, 0));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (count("SELECT COUNT(*) FROM pg_locks WHERE NOT granted") == 0
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(count("SELECT COUNT(*) FROM pg_locks WHERE NOT granted"))
        .as("the writer waits for the row lock")
        .isPositive();
    return f;
  }

  @Test
  void queuedWritesShareATransactionAndAFencedOneFailsAlone() throws Exception {
    CompletableFuture<Void> first = firstBlocked();
    List<CompletableFuture<Void>> ok = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      ok.add(committer.submit(event(FENCE, i)));
    }
    CompletableFuture<Void> stale = committer.submit(event(new Fence("r1", "me", 0), 500));
    blocker.commit();
    first.get(20, TimeUnit.SECONDS);
    CompletableFuture.allOf(ok.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    assertThatThrownBy(() -> stale.get(20, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(JournalException.class)
        .hasMessageContaining("run r1 was taken over by another gateway");
    assertThat(count("SELECT COUNT(*) FROM run_event")).isEqualTo(101);
    assertThat(count("SELECT COUNT(*) FROM run_event WHERE seq = 500")).isZero();
    assertThat(count("SELECT events FROM run WHERE run_id = 'r1'")).isEqualTo(101);
    assertThat(committer.commits()).isEqualTo(2);
  }

  @Test
  void aFailedStatementFailsItsWholeBatch() throws Exception {
    CompletableFuture<Void> first = firstBlocked();
    CompletableFuture<Void> good = committer.submit(event(FENCE, 1));
    CompletableFuture<Void> bad =
        committer.submit(
            new Write(FENCE, 3, 0, List.of(Stmt.of("INSERT INTO nowhere VALUES (?)", 1L))));
    blocker.commit();
    first.get(20, TimeUnit.SECONDS);
    for (CompletableFuture<Void> f : List.of(good, bad)) {
      assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(JournalException.class)
          .hasMessageContaining("failed to commit");
    }
    assertThat(count("SELECT COUNT(*) FROM run_event")).isEqualTo(1);
    committer.submit(event(FENCE, 2)).get(20, TimeUnit.SECONDS);
    assertThat(count("SELECT COUNT(*) FROM run_event")).isEqualTo(2);
  }
}
