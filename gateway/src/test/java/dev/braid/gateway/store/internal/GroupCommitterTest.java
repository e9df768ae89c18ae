package dev.braid.gateway.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.gateway.engine.JournalException;
import dev.braid.gateway.store.StoreConfig;
import dev.braid.gateway.store.internal.GroupCommitter.Fence;
import dev.braid.gateway.store.internal.GroupCommitter.Stmt;
import dev.braid.gateway.store.internal.GroupCommitter.Write;
import dev.braid.model.FailureCode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * The writer thread's batching, on a SQLite store. A raw connection holds SQLite's write lock so
 * that writes queue up behind the writer's first transaction: what happens then does not depend on
 * timing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupCommitterTest {
  private static final String EVENT =
      "INSERT INTO run_event (run_id, seq, type, body) VALUES (?, ?, 'X', '{}')";
  private static final Fence FENCE = new Fence("r1", "me", 1);

  @TempDir Path dir;
  private Databases.Opened db;
  private GroupCommitter committer;
  private Connection blocker;

  @BeforeEach
  void open() throws SQLException {
    db =
        Databases.sqlite(
            dir.resolve("s.db"),
            new StoreConfig("unused", StoreConfig.Sync.NORMAL, StoreConfig.Budgets.DEFAULT, false));
    try (Connection c = db.data().getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO run (run_id, workflow, definition_sha, input, status, owner, owner_epoch,"
              + " created) VALUES ('r1', 'w', 'x', '{}', 'RUNNING', 'me', 1, 0)");
    }
    committer = new GroupCommitter(db.data(), "test", false);
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setBusyTimeout(10_000);
    blocker = cfg.createConnection("jdbc:sqlite:" + dir.resolve("s.db"));
  }

  @AfterEach
  void close() throws SQLException {
    blocker.close();
    committer.close();
    db.data().close();
    db.lock().close();
  }

  private void holdWriteLock() throws SQLException {
    try (Statement s = blocker.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
    }
  }

  private void releaseWriteLock() throws SQLException {
    try (Statement s = blocker.createStatement()) {
      s.execute("COMMIT");
    }
  }

  /** Submits a write and waits until the writer has taken it (and is now blocked on the lock). */
  private CompletableFuture<Void> firstTaken() throws InterruptedException {
    CompletableFuture<Void> f = committer.submit(event(FENCE, 0));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (committer.queued() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(committer.queued()).as("the writer took the first write").isZero();
    return f;
  }

  private static Write event(Fence f, long seq) {
    return new Write(f, seq + 1, 0, List.of(Stmt.of(EVENT, f.runId(), seq)));
  }

  private long events() throws SQLException {
    try (Connection c = db.data().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM run_event")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void manyQueuedWritesShareAFewCommits() throws Exception {
    holdWriteLock();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      all.add(committer.submit(event(FENCE, i)));
    }
    releaseWriteLock();
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(events()).isEqualTo(1000);
    assertThat(committer.writes()).isEqualTo(1000);
    // the first write's transaction, then the rest in batches of at most MAX_BATCH
    assertThat(committer.commits())
        .isBetween(2L, 1L + (999 + GroupCommitter.MAX_BATCH - 1) / GroupCommitter.MAX_BATCH);
  }

  @Test
  void aWritesFutureCompletesOnlyOnceItIsCommitted() throws Exception {
    holdWriteLock();
    CompletableFuture<Void> f = committer.submit(event(FENCE, 0));
    assertThatThrownBy(() -> f.get(300, TimeUnit.MILLISECONDS))
        .isInstanceOf(java.util.concurrent.TimeoutException.class);
    assertThat(events()).isZero();
    releaseWriteLock();
    f.get(20, TimeUnit.SECONDS);
    assertThat(events()).isEqualTo(1);
  }

  @Test
  void aFailedCommitFailsEveryWriteOfItsBatchAndTheWriterGoesOn() throws Exception {
    holdWriteLock();
    CompletableFuture<Void> first = firstTaken();
    CompletableFuture<Void> good = committer.submit(event(FENCE, 1));
    CompletableFuture<Void> bad =
        committer.submit(
            new Write(FENCE, 3, 0, List.of(Stmt.of("INSERT INTO nowhere VALUES (?)", 1L))));
    releaseWriteLock();
    first.get(20, TimeUnit.SECONDS);
    for (CompletableFuture<Void> f : List.of(good, bad)) {
      assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(JournalException.class)
          .hasMessageContaining("failed to commit")
          .satisfies(
              e -> assertThat(((JournalException) e).code()).isEqualTo(FailureCode.UNAVAILABLE));
    }
    assertThat(events()).as("the batch was rolled back").isEqualTo(1);
    committer.submit(event(FENCE, 1)).get(20, TimeUnit.SECONDS);
    assertThat(events()).isEqualTo(2);
  }

  @Test
  void aFencedWriteFailsAloneInItsBatch() throws Exception {
    holdWriteLock();
    CompletableFuture<Void> first = firstTaken();
    CompletableFuture<Void> stale = committer.submit(event(new Fence("r1", "me", 0), 1));
    CompletableFuture<Void> ok = committer.submit(event(FENCE, 2));
    releaseWriteLock();
    first.get(20, TimeUnit.SECONDS);
    ok.get(20, TimeUnit.SECONDS);
    assertThatThrownBy(() -> stale.get(20, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(JournalException.class)
        .hasMessageContaining("run r1 was taken over by another gateway");
    assertThat(events()).isEqualTo(2);
  }

  @Test
  void writesAfterCloseFail() {
    committer.close();
    assertThatThrownBy(() -> committer.submit(event(FENCE, 0)).get(20, TimeUnit.SECONDS))
        .cause()
        .hasMessageContaining("closed");
  }
}
