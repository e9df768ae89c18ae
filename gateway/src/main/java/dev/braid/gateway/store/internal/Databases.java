package dev.braid.gateway.store.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.braid.gateway.store.StoreConfig;
import dev.braid.gateway.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Opens the connection pool of a store and brings its schema up to date with Flyway ({@code
 * db/migration}: one set of migrations for SQLite and PostgreSQL).
 */
public final class Databases {
  /** Where the migrations are, for Flyway. */
  public static final String MIGRATIONS = "classpath:db/migration";

  private static final int SQLITE_POOL = 4;
  private static final int PG_POOL = 8;
  private static final int BUSY_TIMEOUT_MS = 10_000;
  private static final long CONNECTION_TIMEOUT_MS = 10_000;

  private Databases() {}

  /** An open pool and what it needs released with it. */
  public record Opened(HikariDataSource data, String display, StoreLock lock, boolean postgres) {}

  /** A SQLite store in a file, created (owner-only) when missing unless read-only. */
  public static Opened sqlite(Path file, StoreConfig config) {
    Path db = file.toAbsolutePath().normalize();
    String display = db.toString();
    StoreLock lock = null;
    if (config.readOnly()) {
      if (!Files.isRegularFile(db)) {
        throw new StoreException("no store at " + display);
      }
    } else {
      try {
        FilePermissions.createDirectories(db.getParent());
      } catch (IOException e) {
        throw new StoreException(
            "cannot create the folder of the store " + display + ": " + e.getMessage(), e);
      }
      lock = StoreLock.acquire(db);
      try {
        FilePermissions.createFile(db);
      } catch (IOException e) {
        lock.close();
        throw new StoreException("cannot create the store " + display + ": " + e.getMessage(), e);
      }
    }
    SQLiteConfig sc = new SQLiteConfig();
    if (!config.readOnly()) {
      // a setting of the file, kept in it: a reader finds it there
      sc.setJournalMode(SQLiteConfig.JournalMode.WAL);
    }
    sc.setSynchronous(
        config.sync() == StoreConfig.Sync.FULL
            ? SQLiteConfig.SynchronousMode.FULL
            : SQLiteConfig.SynchronousMode.NORMAL);
    sc.setBusyTimeout(BUSY_TIMEOUT_MS);
    // a write transaction takes the write lock at BEGIN, so two writers wait (busy_timeout) instead
    // of one failing when it upgrades from reading
    sc.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    sc.setReadOnly(config.readOnly());
    SQLiteDataSource ds = new SQLiteDataSource(sc);
    ds.setUrl("jdbc:sqlite:" + db);
    try {
      return new Opened(
          pool(ds, SQLITE_POOL, display, true, config.readOnly()), display, lock, false);
    } catch (RuntimeException e) {
      if (lock != null) {
        lock.close();
      }
      throw e;
    }
  }

  /**
   * A store that lives as long as the returned pool: a private in-memory SQLite database on one
   * connection that is never retired (the database goes with it).
   */
  public static Opened memory() {
    SQLiteConfig sc = new SQLiteConfig();
    sc.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource ds = new SQLiteDataSource(sc);
    ds.setUrl("jdbc:sqlite::memory:");
    return new Opened(pool(ds, 1, "memory", true, false), "memory", null, false);
  }

  /** A PostgreSQL store; the schema is created or migrated unless read-only. */
  public static Opened postgres(PgUrl url, StoreConfig config) {
    org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
    ds.setUrl(url.jdbcUrl());
    if (url.user() != null) {
      ds.setUser(url.user());
    }
    if (url.password() != null) {
      ds.setPassword(url.password());
    }
    ds.setApplicationName("braid");
    ds.setConnectTimeout(10);
    ds.setReadOnly(config.readOnly());
    return new Opened(
        pool(ds, PG_POOL, url.display(), false, config.readOnly()), url.display(), null, true);
  }

  private static HikariDataSource pool(
      javax.sql.DataSource ds, int size, String display, boolean sqlite, boolean readOnly) {
    boolean migrate = !readOnly;
    HikariConfig hc = new HikariConfig();
    hc.setReadOnly(readOnly);
    hc.setDataSource(ds);
    hc.setPoolName("braid-store");
    hc.setMaximumPoolSize(size);
    hc.setMinimumIdle(sqlite ? size : 1);
    hc.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
    if (sqlite) {
      // a SQLite connection is a file handle: nothing to refresh, and an in-memory database would
      // be lost with its connection
      hc.setMaxLifetime(0);
      hc.setIdleTimeout(0);
    }
    // fail at open, with the cause, rather than at the first run
    hc.setInitializationFailTimeout(1);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new StoreException("cannot open the store " + display + ": " + rootMessage(e), e);
    }
    if (migrate) {
      try {
        Flyway.configure()
            .dataSource(pool)
            .locations(MIGRATIONS)
            .failOnMissingLocations(true)
            .load()
            .migrate();
      } catch (FlywayException e) {
        pool.close();
        throw new StoreException(
            "cannot create or migrate the schema of the store " + display + ": " + rootMessage(e),
            e);
      }
    }
    return pool;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : PgUrl.mask(m);
  }
}
