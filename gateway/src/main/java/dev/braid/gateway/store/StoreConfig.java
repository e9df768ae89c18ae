package dev.braid.gateway.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to open a {@link RunStore}.
 *
 * @param location a SQLite file path, a {@code postgresql://} URL, or {@code memory}
 * @param sync for SQLite: {@code NORMAL} (survives a crash of the process) or {@code FULL}
 *     (survives power loss, slower)
 * @param budgets bounds on what one run may write
 * @param readOnly open for reading only: no lock taken, no run may be created or claimed (what
 *     {@code braid runs} and {@code braid show} use while a gateway holds the store)
 */
public record StoreConfig(String location, Sync sync, Budgets budgets, boolean readOnly) {
  /** SQLite's {@code synchronous} setting. */
  public enum Sync {
    NORMAL,
    FULL
  }

  /**
   * What one run may write; past a bound the run fails with RESOURCE_EXHAUSTED.
   *
   * @param maxEvents events of one run
   * @param maxBytes bytes of one run's events and outcomes together
   * @param maxOutcomeBytes bytes of one step's outcome (or the run's result)
   */
  public record Budgets(long maxEvents, long maxBytes, long maxOutcomeBytes) {
    public static final Budgets DEFAULT = new Budgets(100_000, 256L << 20, 16L << 20);
  }

  public StoreConfig {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(sync, "sync");
    Objects.requireNonNull(budgets, "budgets");
  }

  /**
   * The default SQLite file: {@code $XDG_DATA_HOME/braid/braid.db}, else {@code
   * ~/.local/share/braid/braid.db}.
   */
  public static Path defaultLocation() {
    String xdg = System.getenv("XDG_DATA_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".local", "share");
    return base.resolve("braid").resolve("braid.db");
  }
}
