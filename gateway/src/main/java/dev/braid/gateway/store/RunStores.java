package dev.braid.gateway.store;

import dev.braid.gateway.store.internal.Databases;
import dev.braid.gateway.store.internal.JdbcRunStore;
import dev.braid.gateway.store.internal.PgUrl;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.InstantSource;

/** Opens the {@link RunStore} a {@link StoreConfig} names. */
public final class RunStores {
  /** The location that names an in-memory store, gone with the process. */
  public static final String MEMORY = "memory";

  private RunStores() {}

  /** Whether {@code location} names a PostgreSQL store (the only kind several gateways share). */
  public static boolean isPostgres(String location) {
    return location != null && PgUrl.isPostgres(location.trim());
  }

  /**
   * Opens (creating or migrating the schema as needed) the store at {@code config.location()}: a
   * {@code postgresql://} (or {@code postgres://}) URL, {@link #MEMORY}, or else a SQLite file,
   * held by this store until {@link RunStore#close} (a second opener is refused).
   *
   * @throws StoreException with a message naming the location and what went wrong
   */
  public static RunStore open(StoreConfig config) {
    return open(config, InstantSource.system());
  }

  /** {@link #open(StoreConfig)} with the wall clock the store stamps its records with. */
  public static RunStore open(StoreConfig config, InstantSource clock) {
    String location = config.location().trim();
    Databases.Opened db;
    if (location.equals(MEMORY)) {
      if (config.readOnly()) {
        throw new StoreException("an in-memory store cannot be opened read-only");
      }
      db = Databases.memory();
    } else if (PgUrl.isPostgres(location)) {
      db = Databases.postgres(PgUrl.parse(location), config);
    } else {
      if (location.isEmpty() || location.indexOf('\0') >= 0) {
        throw new StoreException("bad store location: " + (location.isEmpty() ? "empty" : "NUL"));
      }
      Path file;
      try {
        file = Path.of(location);
      } catch (InvalidPathException e) {
        throw new StoreException("bad store location " + location + ": " + e.getReason(), e);
      }
      db = Databases.sqlite(file, config);
    }
    return new JdbcRunStore(db, config, clock);
  }
}
