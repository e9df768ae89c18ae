package dev.braid.gateway.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.braid.gateway.engine.JournalException;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.gateway.store.GatewayLease;
import dev.braid.gateway.store.RunStatus;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.StoreConfig;
import dev.braid.gateway.store.StoreException;
import dev.braid.gateway.store.StoredEvent;
import dev.braid.gateway.store.StoredRun;
import dev.braid.gateway.store.StoredStep;
import dev.braid.gateway.store.internal.GroupCommitter.Fence;
import dev.braid.gateway.store.internal.StoreJournal.Loaded;
import dev.braid.gateway.store.internal.StoreJournal.Signal;
import dev.braid.model.FailureCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link RunStore} on SQL: SQLite or PostgreSQL, one schema, plain SQL both understand. Run
 * writes go through a {@link GroupCommitter}; creating, claiming, signalling, cancelling and
 * pruning are short transactions of their own on the calling thread.
 */
public final class JdbcRunStore implements RunStore {
  private static final int MAX_ID = 64;
  private static final int MAX_NAME = 1024;
  private static final int MAX_LIST = 10_000;
  private static final String RUN_COLUMNS =
      "run_id, workflow, definition_sha, input, status, owner, owner_epoch, created, deadline,"
          + " finished, result, failure, cancel_requested";

  private final Databases.Opened db;
  private final HikariDataSource data;
  private final StoreConfig config;
  private final InstantSource clock;
  private volatile String owner;
  private volatile PgLeases lease;
  private final GroupCommitter committer;
  private final Map<String, StoreJournal> live = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public JdbcRunStore(Databases.Opened db, StoreConfig config, InstantSource clock) {
    this.db = db;
    this.data = db.data();
    this.config = config;
    this.clock = clock;
    this.owner =
        "pid-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    this.committer = new GroupCommitter(data, db.display(), db.postgres());
  }

  /** Where the store is, for messages. */
  public String display() {
    return db.display();
  }

  @Override
  public String owner() {
    return owner;
  }

  @Override
  public long commits() {
    return committer.commits();
  }

  @Override
  public long writes() {
    return committer.writes();
  }

  GroupCommitter committer() {
    return committer;
  }

  long now() {
    return clock.millis();
  }

  void forget(StoreJournal j) {
    live.remove(j.runId(), j);
  }

  /** Hands a signal to the run's live journal here, if any; false if this store has none. */
  boolean deliverLive(String runId, Signal s) {
    StoreJournal j = live.get(runId);
    if (j == null) {
      return false;
    }
    j.deliver(s);
    return true;
  }

  @Override
  public Optional<GatewayLease> lease() {
    return Optional.ofNullable(lease);
  }

  @Override
  public synchronized GatewayLease join(String gatewayId, Duration length) {
    writable();
    if (!db.postgres()) {
      throw new StoreException(
          "the store "
              + display()
              + " cannot be shared by several gateways: several gateways need a PostgreSQL"
              + " store (--store postgresql://...); a SQLite store is held by one gateway");
    }
    bounded("gateway id", gatewayId, 128);
    if (length.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("lease < 1s: " + length);
    }
    if (lease != null) {
      throw new IllegalStateException("already joined as gateway " + lease.gatewayId());
    }
    PgLeases l = new PgLeases(this, data, gatewayId, length);
    l.join();
    owner = gatewayId;
    lease = l;
    return l;
  }

  @Override
  public Claimed create(String workflow, String definition, JsonNode input, Instant deadline) {
    return create(UUID.randomUUID().toString(), workflow, definition, input, deadline, null)
        .orElseThrow();
  }

  @Override
  public Optional<Claimed> createScheduled(
      String runId,
      String workflow,
      String definition,
      JsonNode input,
      Instant deadline,
      Instant slot) {
    bounded("run id", runId, MAX_NAME);
    return create(runId, workflow, definition, input, deadline, slot);
  }

  @Override
  public boolean skipSlot(String workflow, Instant slot) {
    writable();
    bounded("workflow name", workflow, MAX_NAME);
    return inTransaction("skip a slot of " + workflow, c -> advanceSlot(c, workflow, slot, null));
  }

  @Override
  public Optional<Instant> lastSlot(String workflow) {
    return inTransaction(
        "read the last slot of " + workflow,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT last_slot FROM schedule_slot WHERE workflow = ?")) {
            ps.setString(1, workflow);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next()
                  ? Optional.of(Instant.ofEpochMilli(rs.getLong(1)))
                  : Optional.<Instant>empty();
            }
          }
        });
  }

  /**
   * Moves the workflow's last fired slot forward to {@code slot}; false (nothing written) when it
   * is there already or past it: that slot was fired, by this server before a restart or by another
   * one.
   */
  private static boolean advanceSlot(Connection c, String workflow, Instant slot, String runId)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO schedule_slot (workflow, last_slot, last_run_id) VALUES (?, ?, ?)"
                + " ON CONFLICT (workflow) DO UPDATE SET last_slot = excluded.last_slot,"
                + " last_run_id = excluded.last_run_id"
                + " WHERE schedule_slot.last_slot < excluded.last_slot")) {
      ps.setString(1, workflow);
      ps.setLong(2, slot.toEpochMilli());
      ps.setString(3, runId);
      return ps.executeUpdate() == 1;
    }
  }

  private Optional<Claimed> create(
      String runId,
      String workflow,
      String definition,
      JsonNode input,
      Instant deadline,
      Instant slot) {
    writable();
    bounded("workflow name", workflow, MAX_NAME);
    String inputText = Codec.write(input);
    long max = config.budgets().maxOutcomeBytes();
    if (definition.length() > max || inputText.length() > max) {
      throw new StoreException(
          "the definition or input of a run of "
              + workflow
              + " is over the budget of "
              + max
              + " bytes (maxOutcomeBytes)");
    }
    String sha = sha256(definition);
    long created = now();
    String creator = owner;
    PgLeases l = lease;
    boolean fresh =
        inTransaction(
            "create a run",
            c -> {
              if (l != null) {
                leaseHeld(c, l);
              }
              // a scheduled run: its slot is taken in the same transaction, or not at all
              if (slot != null && !advanceSlot(c, workflow, slot, runId)) {
                return false;
              }
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO definition (sha, text) VALUES (?, ?) ON CONFLICT (sha) DO NOTHING")) {
                ps.setString(1, sha);
                ps.setString(2, definition);
                ps.executeUpdate();
              }
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO run (run_id, workflow, definition_sha, input, status, owner,"
                          + " owner_epoch, created, deadline) VALUES (?, ?, ?, ?, 'RUNNING', ?, 1, ?,"
                          + " ?)")) {
                ps.setString(1, runId);
                ps.setString(2, workflow);
                ps.setString(3, sha);
                ps.setString(4, inputText);
                ps.setString(5, creator);
                ps.setLong(6, created);
                ps.setObject(7, deadline == null ? null : deadline.toEpochMilli());
                ps.executeUpdate();
              }
              return true;
            });
    if (!fresh) {
      return Optional.empty();
    }
    StoredRun run =
        new StoredRun(
            runId,
            workflow,
            sha,
            input,
            RunStatus.RUNNING,
            creator,
            1,
            Instant.ofEpochMilli(created),
            deadline == null ? null : Instant.ofEpochMilli(deadline.toEpochMilli()),
            null,
            null,
            null,
            false);
    StoreJournal j = new StoreJournal(this, new Fence(runId, creator, 1), config.budgets());
    live.put(runId, j);
    return Optional.of(new Claimed(run, definition, j));
  }

  @Override
  public Claimed claim(String runId) {
    writable();
    String id = knownId(runId);
    String claimer = owner;
    // shared by several gateways: only a run released (or already given to this gateway) is taken,
    // never one a live gateway runs
    boolean shared = lease != null;
    record Taken(StoredRun run, String definition) {}
    Taken t =
        inTransaction(
            "claim run " + id,
            c -> {
              int n;
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE run SET owner = ?, owner_epoch = owner_epoch + 1"
                          + " WHERE run_id = ? AND status = 'RUNNING'"
                          + (shared ? " AND (owner IS NULL OR owner = ?)" : ""))) {
                ps.setString(1, claimer);
                ps.setString(2, id);
                if (shared) {
                  ps.setString(3, claimer);
                }
                n = ps.executeUpdate();
              }
              StoredRun run = readRun(c, id);
              if (run == null) {
                throw new StoreException("no run " + id + " in the store " + display());
              }
              if (n == 0 && run.status() == RunStatus.RUNNING) {
                throw new StoreException(
                    "run " + id + " is run by gateway " + run.owner() + ": not taken over");
              }
              if (n == 0) {
                throw new StoreException(
                    "run "
                        + id
                        + " is "
                        + run.status().name().toLowerCase()
                        + ": nothing to resume");
              }
              String text;
              try (PreparedStatement ps =
                  c.prepareStatement("SELECT text FROM definition WHERE sha = ?")) {
                ps.setString(1, run.definitionSha());
                try (ResultSet rs = ps.executeQuery()) {
                  if (!rs.next()) {
                    throw new StoreException(
                        "the definition of run " + id + " is missing from the store " + display());
                  }
                  text = rs.getString(1);
                }
              }
              return new Taken(run, text);
            });
    StoreJournal j =
        new StoreJournal(this, new Fence(id, claimer, t.run().ownerEpoch()), config.budgets());
    // registered before the signals are read, so that none sent in between is missed (deliver
    // ignores a signal it already has)
    StoreJournal old = live.put(id, j);
    if (old != null) {
      old.closed(fenced(id));
    }
    j.restore(read("read run " + id, c -> load(c, id, t.run())));
    return new Claimed(t.run(), t.definition(), j);
  }

  /** Refuses the transaction on {@code c} unless this gateway's lease is held (and keeps it so). */
  private static void leaseHeld(Connection c, PgLeases l) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 1 FROM gateway WHERE gateway_id = ? AND epoch = ? AND fenced_at IS NULL"
                + " AND expires_at > "
                + PgLeases.NOW
                + " FOR SHARE")) {
      ps.setString(1, l.gatewayId());
      ps.setLong(2, l.epoch());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new StoreException(
              "gateway "
                  + l.gatewayId()
                  + " has lost its lease on the store: it takes no new run until it joins again");
        }
      }
    }
  }

  private static JournalException fenced(String runId) {
    return new JournalException(
        FailureCode.UNAVAILABLE, "run " + runId + " was taken over by another gateway");
  }

  private Loaded load(Connection c, String id, StoredRun run) throws SQLException {
    Map<String, StepOutcome> outcomes = new HashMap<>();
    Map<String, Integer> attempts = new HashMap<>();
    Map<String, Long> instants = new HashMap<>();
    List<Signal> signals = new ArrayList<>();
    long steps = 0;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT step_path, attempt, outcome, seq_no FROM step_result WHERE run_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String path = rs.getString(1);
          attempts.put(path, rs.getInt(2));
          String o = rs.getString(3);
          if (o != null) {
            outcomes.put(path, Codec.outcome(o));
          }
          steps = Math.max(steps, rs.getLong(4) + 1);
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement("SELECT name, at_ms FROM run_instant WHERE run_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          instants.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    signals.addAll(unconsumed(c, id));
    long events;
    long bytes;
    try (PreparedStatement ps =
        c.prepareStatement("SELECT events, bytes FROM run WHERE run_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        events = rs.getLong(1);
        bytes = rs.getLong(2);
      }
    }
    // the counter may lag the rows (it is written with them, but be safe): never reuse a seq
    try (PreparedStatement ps =
        c.prepareStatement("SELECT COALESCE(MAX(seq) + 1, 0) FROM run_event WHERE run_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        events = Math.max(events, rs.getLong(1));
      }
    }
    return new Loaded(outcomes, attempts, instants, signals, steps, events, bytes);
  }

  private static List<Signal> unconsumed(Connection c, String id) throws SQLException {
    List<Signal> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, name, payload FROM signal WHERE run_id = ? AND consumed_by_path IS NULL"
                + " ORDER BY id")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Signal(rs.getLong(1), rs.getString(2), Codec.read(rs.getString(3))));
        }
      }
    }
    return out;
  }

  @Override
  public Optional<StoredRun> get(String runId) {
    if (runId == null || runId.length() > MAX_ID) {
      return Optional.empty();
    }
    return Optional.ofNullable(read("read run " + runId, c -> readRun(c, runId)));
  }

  @Override
  public List<StoredRun> list(RunStatus status, int limit) {
    int n = Math.max(0, Math.min(limit, MAX_LIST));
    return read(
        "list runs",
        c -> {
          String sql =
              "SELECT "
                  + RUN_COLUMNS
                  + " FROM run"
                  + (status == null ? "" : " WHERE status = ?")
                  + " ORDER BY created DESC, run_id DESC LIMIT ?";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (status != null) {
              ps.setString(i++, status.name());
            }
            ps.setInt(i, n);
            List<StoredRun> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(run(rs));
              }
            }
            return out;
          }
        });
  }

  @Override
  public List<StoredStep> steps(String runId) {
    String id = knownId(runId);
    return read(
        "read the steps of run " + id,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT step_path, attempt, outcome, recorded_at FROM step_result"
                      + " WHERE run_id = ? ORDER BY seq_no")) {
            ps.setString(1, id);
            List<StoredStep> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                String o = rs.getString(3);
                long at = rs.getLong(4);
                out.add(
                    new StoredStep(
                        rs.getString(1),
                        rs.getInt(2),
                        o == null ? null : Codec.outcome(o),
                        rs.wasNull() ? null : Instant.ofEpochMilli(at)));
              }
            }
            return out;
          }
        });
  }

  @Override
  public List<StoredEvent> events(String runId, long fromSeq, int max) {
    String id = knownId(runId);
    int n = Math.max(0, Math.min(max, MAX_LIST));
    return read(
        "read the events of run " + id,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT seq, body FROM run_event WHERE run_id = ? AND seq >= ?"
                      + " ORDER BY seq LIMIT ?")) {
            ps.setString(1, id);
            ps.setLong(2, Math.max(0, fromSeq));
            ps.setInt(3, n);
            List<StoredEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(new StoredEvent(rs.getLong(1), Codec.event(rs.getString(2))));
              }
            }
            return out;
          }
        });
  }

  @Override
  public void signal(String runId, String name, JsonNode payload) {
    writable();
    String id = knownId(runId);
    bounded("signal name", name, MAX_NAME);
    String text = Codec.write(payload);
    if (text.length() > config.budgets().maxOutcomeBytes()) {
      throw new StoreException(
          "the payload of signal "
              + name
              + " is over the budget of "
              + config.budgets().maxOutcomeBytes()
              + " bytes (maxOutcomeBytes)");
    }
    long sid =
        inTransaction(
            "signal run " + id,
            c -> {
              // takes the run's row lock first, so that two signals get different ids
              mustBeRunning(c, id, "UPDATE run SET cancel_requested = cancel_requested");
              long next;
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT COALESCE(MAX(id), 0) + 1 FROM signal WHERE run_id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                  rs.next();
                  next = rs.getLong(1);
                }
              }
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO signal (run_id, id, name, payload) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setLong(2, next);
                ps.setString(3, name);
                ps.setString(4, text);
                ps.executeUpdate();
              }
              if (db.postgres()) {
                // the gateway running it, if another, delivers it when this commits
                PgLeases.notify(c, "signal " + id);
              }
              return next;
            });
    StoreJournal j = live.get(id);
    if (j != null) {
      j.deliver(new Signal(sid, name, payload));
    }
  }

  @Override
  public void requestCancel(String runId) {
    writable();
    String id = knownId(runId);
    inTransaction(
        "cancel run " + id,
        c -> {
          mustBeRunning(c, id, "UPDATE run SET cancel_requested = 1");
          if (db.postgres()) {
            PgLeases.notify(c, "cancel " + id);
          }
          return null;
        });
  }

  /** Runs {@code update} (… WHERE run_id = ? AND status = 'RUNNING' is appended) or explains. */
  private void mustBeRunning(Connection c, String id, String update) throws SQLException {
    int n;
    try (PreparedStatement ps =
        c.prepareStatement(update + " WHERE run_id = ? AND status = 'RUNNING'")) {
      ps.setString(1, id);
      n = ps.executeUpdate();
    }
    if (n == 0) {
      StoredRun r = readRun(c, id);
      throw new StoreException(
          r == null
              ? "no run " + id + " in the store " + display()
              : "run " + id + " is already " + r.status().name().toLowerCase());
    }
  }

  @Override
  public int prune(Duration maxAge, int keep) {
    if (maxAge.isNegative() || keep < 0) {
      throw new IllegalArgumentException("prune: maxAge " + maxAge + ", keep " + keep);
    }
    writable();
    long cutoff = now() - maxAge.toMillis();
    return inTransaction(
        "prune finished runs",
        c -> {
          List<String> doomed = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT run_id, finished FROM run WHERE status <> 'RUNNING'"
                      + " ORDER BY finished DESC, run_id DESC")) {
            try (ResultSet rs = ps.executeQuery()) {
              int i = 0;
              while (rs.next()) {
                if (i++ >= keep || rs.getLong(2) < cutoff) {
                  doomed.add(rs.getString(1));
                }
              }
            }
          }
          for (String table : List.of("step_result", "run_event", "signal", "run_instant", "run")) {
            try (PreparedStatement ps =
                c.prepareStatement("DELETE FROM " + table + " WHERE run_id = ?")) {
              for (String id : doomed) {
                ps.setString(1, id);
                ps.addBatch();
              }
              ps.executeBatch();
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM definition WHERE sha NOT IN (SELECT definition_sha FROM run)")) {
            ps.executeUpdate();
          }
          return doomed.size();
        });
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    committer.close();
    PgLeases l = lease;
    if (l != null) {
      // after the last writes are durable: leaving releases the runs (bumping their epochs)
      try {
        l.close();
      } catch (RuntimeException e) {
        // the others fence this gateway when its lease expires
      }
    }
    JournalException why =
        new JournalException(FailureCode.UNAVAILABLE, "the run store " + display() + " is closed");
    live.values().forEach(j -> j.closed(why));
    live.clear();
    data.close();
    if (db.lock() != null) {
      db.lock().close();
    }
  }

  // ---- helpers

  private void writable() {
    if (closed) {
      throw new StoreException("the run store " + display() + " is closed");
    }
    if (config.readOnly()) {
      throw new StoreException("the run store " + display() + " is open read-only");
    }
  }

  private String knownId(String runId) {
    if (runId == null || runId.isEmpty() || runId.length() > MAX_ID) {
      throw new StoreException("no run " + clip(runId) + " in the store " + display());
    }
    return runId;
  }

  private static void bounded(String what, String value, int max) {
    if (value == null || value.isEmpty() || value.length() > max) {
      throw new StoreException(what + " must have 1 to " + max + " characters: " + clip(value));
    }
  }

  private static String clip(String s) {
    return s == null ? "null" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private StoredRun readRun(Connection c, String id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM run WHERE run_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? run(rs) : null;
      }
    }
  }

  private static StoredRun run(ResultSet rs) throws SQLException {
    return new StoredRun(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        Codec.read(rs.getString(4)),
        RunStatus.valueOf(rs.getString(5)),
        rs.getString(6),
        rs.getLong(7),
        Instant.ofEpochMilli(rs.getLong(8)),
        instant(rs, 9),
        instant(rs, 10),
        Codec.read(rs.getString(11)),
        Codec.failure(rs.getString(12)),
        rs.getInt(13) != 0);
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Work on one connection. */
  @FunctionalInterface
  interface Work<T> {
    T apply(Connection c) throws SQLException;
  }

  <T> T read(String what, Work<T> work) {
    if (closed) {
      throw new StoreException("the run store " + display() + " is closed");
    }
    try (Connection c = data.getConnection()) {
      return work.apply(c);
    } catch (SQLException | IllegalStateException e) {
      throw failed(what, e);
    }
  }

  <T> T inTransaction(String what, Work<T> work) {
    try (Connection c = data.getConnection()) {
      c.setAutoCommit(false);
      try {
        T t = work.apply(c);
        c.commit();
        return t;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException | IllegalStateException e) {
      throw failed(what, e);
    }
  }

  private StoreException failed(String what, Exception e) {
    return new StoreException(
        "the run store " + display() + " failed to " + what + ": " + Databases.rootMessage(e), e);
  }
}
