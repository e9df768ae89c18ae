package dev.braid.gateway.store.internal;

import dev.braid.gateway.engine.JournalException;
import dev.braid.model.FailureCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer thread that commits the queued writes of every run together: it takes what is queued
 * (up to {@link #MAX_BATCH} writes), applies it in one transaction with one JDBC batch per
 * statement, commits, then completes the writes' futures. So a write costs one commit only when
 * nothing else is waiting, and 100 busy runs share their commits.
 *
 * <p>Each write is fenced: before its statements run, the run's row is updated only if it still has
 * the write's owner and epoch and is running; a write whose fence matches no row changes nothing
 * and fails with {@link JournalException} ({@code UNAVAILABLE}, "taken over by another gateway"),
 * without failing the other writes of the batch. A failed commit fails every write of the batch.
 *
 * <p>Thread-safe. Futures complete on the writer thread: callbacks must not block.
 */
public final class GroupCommitter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

  /** The most writes one transaction takes. */
  public static final int MAX_BATCH = 512;

  private static final String FENCE_SQL =
      "UPDATE run SET events = ?, bytes = ? WHERE run_id = ? AND owner = ? AND owner_epoch = ?"
          + " AND status = 'RUNNING'";

  /** The owner and epoch a write of run {@code runId} must still hold. */
  public record Fence(String runId, String owner, long epoch) {}

  /** One SQL statement with its parameters (String, Long, Integer or null). */
  public record Stmt(String sql, List<Object> params) {
    public static Stmt of(String sql, Object... params) {
      return new Stmt(sql, java.util.Arrays.asList(params));
    }
  }

  /**
   * What a run asks to have written in one go: its statements, under its fence, with its budget
   * counters as they stand after these statements.
   */
  public static final class Write {
    final Fence fence;
    final long events;
    final long bytes;
    final List<Stmt> stmts;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    public Write(Fence fence, long events, long bytes, List<Stmt> stmts) {
      this.fence = Objects.requireNonNull(fence, "fence");
      this.events = events;
      this.bytes = bytes;
      this.stmts = List.copyOf(stmts);
    }

    public CompletableFuture<Void> done() {
      return done;
    }
  }

  private final DataSource data;
  private final String where;
  private final boolean pipelined;
  private final BlockingQueue<Write> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param where the store's location, for messages (never a password)
   * @param pipelined send each transaction as one multi-statement request (PostgreSQL: saves round
   *     trips), else as JDBC batches (SQLite, which runs one statement per request)
   */
  public GroupCommitter(DataSource data, String where, boolean pipelined) {
    this.data = data;
    this.where = where;
    this.pipelined = pipelined;
    this.writer = new Thread(this::loop, "braid-store-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Queues {@code w}; its future completes once it is committed (or fails). */
  public CompletableFuture<Void> submit(Write w) {
    if (closed) {
      w.done.completeExceptionally(closedFailure());
      return w.done;
    }
    queue.add(w);
    // close() may have drained the queue between the check and the add: fail what it left
    if (closed && queue.remove(w)) {
      w.done.completeExceptionally(closedFailure());
    }
    return w.done;
  }

  /** Writes waiting for the writer thread to take them. */
  int queued() {
    return queue.size();
  }

  /** Transactions committed so far. */
  public long commits() {
    return commits.get();
  }

  /** Writes committed so far. */
  public long writes() {
    return written.get();
  }

  private JournalException closedFailure() {
    return new JournalException(FailureCode.UNAVAILABLE, "the run store " + where + " is closed");
  }

  private void loop() {
    List<Write> batch = new ArrayList<>();
    while (true) {
      try {
        Write first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closed && queue.isEmpty()) {
            return;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        commit(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.error("the run store's writer failed", e);
        fail(batch, e);
      } finally {
        batch.clear();
      }
    }
  }

  private void commit(List<Write> batch) {
    Set<Write> refused;
    try (Connection c = data.getConnection()) {
      c.setAutoCommit(false);
      try {
        refused = pipelined ? applyPipelined(c, batch) : applyBatched(c, batch);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    } catch (SQLException e) {
      fail(batch, e);
      return;
    }
    commits.incrementAndGet();
    written.addAndGet(batch.size() - refused.size());
    for (Write w : batch) {
      if (refused.contains(w)) {
        w.done.completeExceptionally(
            new JournalException(
                FailureCode.UNAVAILABLE,
                "run " + w.fence.runId() + " was taken over by another gateway"));
      } else {
        w.done.complete(null);
      }
    }
  }

  /**
   * Local files (SQLite): the fences in one JDBC batch, then one batch per distinct statement, run
   * in the order of first use — per table, the order the writes came in.
   */
  private static Set<Write> applyBatched(Connection c, List<Write> batch) throws SQLException {
    Set<Write> refused = fence(c, batch);
    Map<String, PreparedStatement> statements = new LinkedHashMap<>();
    try {
      for (Write w : batch) {
        if (refused.contains(w)) {
          continue;
        }
        for (Stmt s : w.stmts) {
          PreparedStatement ps = statements.get(s.sql());
          if (ps == null) {
            ps = c.prepareStatement(s.sql());
            statements.put(s.sql(), ps);
          }
          bind(ps, s.params());
          ps.addBatch();
        }
      }
      for (PreparedStatement ps : statements.values()) {
        ps.executeBatch();
      }
    } finally {
      for (PreparedStatement ps : statements.values()) {
        ps.close();
      }
    }
    return refused;
  }

  /**
   * Over a network (PostgreSQL) round trips are the cost: the fences and every statement go as one
   * multi-statement request, then the commit — two round trips per transaction. Should a fence
   * match no row, the transaction is rolled back and sent again without the fenced writes.
   */
  private static Set<Write> applyPipelined(Connection c, List<Write> batch) throws SQLException {
    Set<Write> refused = Collections.newSetFromMap(new IdentityHashMap<>());
    while (true) {
      List<Write> live = new ArrayList<>();
      for (Write w : batch) {
        if (!refused.contains(w)) {
          live.add(w);
        }
      }
      if (live.isEmpty()) {
        return refused;
      }
      Map<Fence, long[]> counters = counters(live);
      StringBuilder sql = new StringBuilder();
      List<Object> params = new ArrayList<>();
      for (Map.Entry<Fence, long[]> f : counters.entrySet()) {
        sql.append(FENCE_SQL).append(";\n");
        params.addAll(fenceParams(f.getKey(), f.getValue()));
      }
      for (Write w : live) {
        for (Stmt s : w.stmts) {
          sql.append(s.sql()).append(";\n");
          params.addAll(s.params());
        }
      }
      List<Fence> lost = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        bind(ps, params);
        ps.execute();
        for (Fence f : counters.keySet()) {
          if (ps.getUpdateCount() == 0) {
            lost.add(f);
          }
          ps.getMoreResults();
        }
      }
      if (lost.isEmpty()) {
        return refused;
      }
      // the fenced writes' statements ran too: undo all, and again without them
      c.rollback();
      for (Write w : live) {
        if (lost.contains(w.fence)) {
          refused.add(w);
        }
      }
    }
  }

  private static Map<Fence, long[]> counters(List<Write> writes) {
    Map<Fence, long[]> counters = new LinkedHashMap<>();
    for (Write w : writes) {
      long[] n = counters.computeIfAbsent(w.fence, f -> new long[2]);
      n[0] = Math.max(n[0], w.events);
      n[1] = Math.max(n[1], w.bytes);
    }
    return counters;
  }

  private static List<Object> fenceParams(Fence f, long[] n) {
    return List.of(n[0], n[1], f.runId(), f.owner(), f.epoch());
  }

  /**
   * Updates each run's counters under its fence (one batch) and returns the writes whose fence
   * matched no row.
   */
  private static Set<Write> fence(Connection c, List<Write> batch) throws SQLException {
    Map<Fence, long[]> counters = counters(batch);
    List<Fence> order = new ArrayList<>(counters.keySet());
    int[] updated;
    try (PreparedStatement ps = c.prepareStatement(FENCE_SQL)) {
      for (Fence f : order) {
        bind(ps, fenceParams(f, counters.get(f)));
        ps.addBatch();
      }
      updated = ps.executeBatch();
    }
    Set<Write> refused = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < order.size(); i++) {
      if (updated[i] == 0) {
        for (Write w : batch) {
          if (w.fence.equals(order.get(i))) {
            refused.add(w);
          }
        }
      }
    }
    return refused;
  }

  static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      Object p = params.get(i);
      if (p == null) {
        // untyped: PostgreSQL infers the column's type (a VARCHAR null would not fit a BIGINT)
        ps.setObject(i + 1, null);
      } else if (p instanceof String s) {
        ps.setString(i + 1, s);
      } else if (p instanceof Long l) {
        ps.setLong(i + 1, l);
      } else if (p instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else {
        throw new IllegalArgumentException("unsupported parameter type: " + p.getClass());
      }
    }
  }

  private void fail(List<Write> batch, Exception e) {
    JournalException f =
        new JournalException(
            FailureCode.UNAVAILABLE,
            "the run store " + where + " failed to commit: " + e.getMessage(),
            e);
    for (Write w : batch) {
      w.done.completeExceptionally(f);
    }
  }

  /** Commits what is queued, then stops the writer (waits up to 30 s); idempotent. */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Write> left = new ArrayList<>();
    queue.drainTo(left);
    for (Write w : left) {
      w.done.completeExceptionally(closedFailure());
    }
  }
}
