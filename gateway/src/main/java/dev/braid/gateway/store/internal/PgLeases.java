package dev.braid.gateway.store.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.braid.gateway.store.GatewayLease;
import dev.braid.gateway.store.StoreException;
import dev.braid.gateway.store.internal.StoreJournal.Signal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The {@link GatewayLease} on PostgreSQL: a row of {@code gateway} per gateway, {@code LISTEN
 * braid_runs} on a connection of its own for wake-ups. Every instant is the database's ({@code
 * clock_timestamp()}), so no two hosts' clocks are compared.
 */
final class PgLeases implements GatewayLease {
  /** The channel every gateway of a store listens on; the payload says why (for logs only). */
  static final String CHANNEL = "braid_runs";

  static final String NOW = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

  /** Fenced gateways' rows are kept this long (for `braid` to show), then deleted. */
  private static final long KEEP_FENCED_MS = Duration.ofDays(1).toMillis();

  private final JdbcRunStore store;
  private final HikariDataSource data;
  private final String id;
  private final Duration length;
  private volatile long epoch;
  private Connection listener;
  private boolean closed;

  PgLeases(JdbcRunStore store, HikariDataSource data, String id, Duration length) {
    this.store = store;
    this.data = data;
    this.id = id;
    this.length = length;
  }

  @Override
  public String gatewayId() {
    return id;
  }

  @Override
  public long epoch() {
    return epoch;
  }

  @Override
  public Duration length() {
    return length;
  }

  /** Joins (or joins again, with a higher epoch), releasing what an earlier life left. */
  void join() {
    epoch =
        store.inTransaction(
            "join as gateway " + id,
            c -> {
              long e;
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO gateway (gateway_id, epoch, expires_at, joined) VALUES (?, 1, "
                          + NOW
                          + " + ?, "
                          + NOW
                          + ") ON CONFLICT (gateway_id) DO UPDATE SET epoch = gateway.epoch + 1,"
                          + " expires_at = EXCLUDED.expires_at, joined = EXCLUDED.joined,"
                          + " fenced_at = NULL RETURNING epoch")) {
                ps.setString(1, id);
                ps.setLong(2, length.toMillis());
                try (ResultSet rs = ps.executeQuery()) {
                  rs.next();
                  e = rs.getLong(1);
                }
              }
              // an earlier life under this id (a restarted pod) left these: anyone may take them
              release(c, id);
              releaseUnleased(c);
              return e;
            });
  }

  @Override
  public boolean renew() {
    int n =
        store.inTransaction(
            "renew the lease of gateway " + id,
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE gateway SET expires_at = "
                          + NOW
                          + " + ? WHERE gateway_id = ? AND epoch = ? AND fenced_at IS NULL"
                          + " AND expires_at > "
                          + NOW)) {
                ps.setLong(1, length.toMillis());
                ps.setString(2, id);
                ps.setLong(3, epoch);
                return ps.executeUpdate();
              }
            });
    return n == 1;
  }

  @Override
  public void rejoin() {
    join();
  }

  @Override
  public List<String> fenceExpired() {
    return store.inTransaction(
        "fence expired gateways",
        c -> {
          List<String> expired = new ArrayList<>();
          // SKIP LOCKED: a gateway renewing right now, or fenced by another gateway, is skipped
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT gateway_id FROM gateway WHERE fenced_at IS NULL AND expires_at < "
                      + NOW
                      + " AND gateway_id <> ? FOR UPDATE SKIP LOCKED")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                expired.add(rs.getString(1));
              }
            }
          }
          for (String g : expired) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "UPDATE gateway SET epoch = epoch + 1, fenced_at = "
                        + NOW
                        + " WHERE gateway_id = ?")) {
              ps.setString(1, g);
              ps.executeUpdate();
            }
            release(c, g);
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM gateway WHERE fenced_at < " + NOW + " - " + KEEP_FENCED_MS)) {
            ps.executeUpdate();
          }
          return expired;
        });
  }

  /** Releases {@code gateway}'s unfinished runs (fencing its writes) and wakes the gateways. */
  private static void release(Connection c, String gateway) throws SQLException {
    int n;
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE run SET owner = NULL, owner_epoch = owner_epoch + 1"
                + " WHERE owner = ? AND status = 'RUNNING'")) {
      ps.setString(1, gateway);
      n = ps.executeUpdate();
    }
    if (n > 0) {
      notify(c, "released " + n);
    }
  }

  /**
   * Releases unfinished runs whose owner is no gateway: runs of a {@code braid serve} from before
   * leases, or of {@code braid run}/{@code braid resume} on this store. A starting server claimed
   * every unfinished run before leases existed, so joining keeps that: an upgraded gateway resumes
   * what its predecessor left.
   */
  private static void releaseUnleased(Connection c) throws SQLException {
    int n;
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE run SET owner = NULL, owner_epoch = owner_epoch + 1 WHERE status = 'RUNNING'"
                + " AND owner IS NOT NULL AND NOT EXISTS (SELECT 1 FROM gateway g"
                + " WHERE g.gateway_id = run.owner)")) {
      n = ps.executeUpdate();
    }
    if (n > 0) {
      notify(c, "released " + n);
    }
  }

  /** Sends a wake-up with the transaction on {@code c} (delivered when it commits). */
  static void notify(Connection c, String why) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      ps.setString(1, CHANNEL);
      ps.setString(2, why);
      ps.executeQuery().close();
    }
  }

  @Override
  public List<String> claimReleased(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max < 1: " + max);
    }
    return store.inTransaction(
        "claim released runs",
        c -> {
          // FOR SHARE: a gateway fencing this one waits for this transaction, and one that
          // fenced it already leaves no row to find, so a fenced gateway takes nothing
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT 1 FROM gateway WHERE gateway_id = ? AND epoch = ? AND fenced_at IS NULL"
                      + " AND expires_at > "
                      + NOW
                      + " FOR SHARE")) {
            ps.setString(1, id);
            ps.setLong(2, epoch);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return List.of();
              }
            }
          }
          List<String> ids = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT run_id FROM run WHERE owner IS NULL AND status = 'RUNNING'"
                      + " ORDER BY created LIMIT ? FOR UPDATE SKIP LOCKED")) {
            ps.setInt(1, max);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                ids.add(rs.getString(1));
              }
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE run SET owner = ? WHERE run_id = ?")) {
            for (String r : ids) {
              ps.setString(1, id);
              ps.setString(2, r);
              ps.addBatch();
            }
            if (!ids.isEmpty()) {
              ps.executeBatch();
            }
          }
          return ids;
        });
  }

  @Override
  public void handBack(String runId) {
    store.inTransaction(
        "hand back run " + runId,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE run SET owner = NULL, owner_epoch = owner_epoch + 1"
                      + " WHERE run_id = ? AND owner = ? AND status = 'RUNNING'")) {
            ps.setString(1, runId);
            ps.setString(2, id);
            ps.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public List<String> cancelsRequested() {
    return store.read(
        "read the cancels asked of gateway " + id,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT run_id FROM run WHERE owner = ? AND status = 'RUNNING'"
                      + " AND cancel_requested <> 0")) {
            ps.setString(1, id);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(rs.getString(1));
              }
            }
            return out;
          }
        });
  }

  @Override
  public int deliverSignals() {
    record Pending(String runId, Signal signal) {}
    List<Pending> pending =
        store.read(
            "read the signals of gateway " + id,
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT s.run_id, s.id, s.name, s.payload FROM signal s JOIN run r"
                          + " ON r.run_id = s.run_id WHERE r.owner = ? AND r.status = 'RUNNING'"
                          + " AND s.consumed_by_path IS NULL ORDER BY s.run_id, s.id")) {
                ps.setString(1, id);
                List<Pending> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    out.add(
                        new Pending(
                            rs.getString(1),
                            new Signal(
                                rs.getLong(2), rs.getString(3), Codec.read(rs.getString(4)))));
                  }
                }
                return out;
              }
            });
    return (int)
        pending.stream()
            .filter(p -> store.deliverLive(p.runId(), p.signal()))
            .map(Pending::runId)
            .distinct()
            .count();
  }

  @Override
  public boolean awaitWakeUp(Duration max) throws InterruptedException {
    long ms = Math.max(1, max.toMillis());
    try {
      if (listener == null) {
        listener = data.getConnection();
        try (PreparedStatement ps = listener.prepareStatement("LISTEN " + CHANNEL)) {
          ps.execute();
        }
      }
      PGNotification[] got =
          listener.unwrap(PGConnection.class).getNotifications((int) Math.min(ms, 60_000));
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      return got != null && got.length > 0;
    } catch (SQLException e) {
      dropListener();
      // the database is unreachable: wait the poll out rather than spin
      Thread.sleep(ms);
      throw new StoreException(
          "cannot listen for wake-ups on the store: " + Databases.rootMessage(e), e);
    }
  }

  private void dropListener() {
    if (listener != null) {
      try {
        listener.close();
      } catch (SQLException ignored) {
        // going anyway
      }
      listener = null;
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    dropListener();
    store.inTransaction(
        "leave as gateway " + id,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE gateway SET epoch = epoch + 1, fenced_at = "
                      + NOW
                      + " WHERE gateway_id = ? AND epoch = ?")) {
            ps.setString(1, id);
            ps.setLong(2, epoch);
            ps.executeUpdate();
          }
          release(c, id);
          return null;
        });
  }
}
