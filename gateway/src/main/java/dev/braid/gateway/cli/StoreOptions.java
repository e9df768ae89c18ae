package dev.braid.gateway.cli;

import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.RunStores;
import dev.braid.gateway.store.StoreConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where runs are kept, shared by every command that reads or writes the store: {@code --store}
 * (default: the environment's {@code BRAID_STORE}, else the system property {@code braid.store},
 * else the SQLite file {@link StoreConfig#defaultLocation()}), {@code --store-sync} and the per-run
 * budgets.
 */
final class StoreOptions {
  /** The environment variable naming the store when {@code --store} is not given. */
  static final String ENV = "BRAID_STORE";

  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,15})\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)", Pattern.CASE_INSENSITIVE);

  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--store",
      paramLabel = "PATH|URL|memory",
      description = {
        "where runs are kept: a SQLite file, a postgresql://user@host:port/db URL, or",
        "memory (nothing kept). Default: $BRAID_STORE, else " + "~/.local/share/braid/braid.db"
      })
  String store;

  @Option(
      names = "--store-sync",
      paramLabel = "normal|full",
      description =
          "SQLite: normal survives a crash of braid, full also a power loss (slower). Default:"
              + " normal")
  String sync = "normal";

  @Option(
      names = "--max-run-events",
      paramLabel = "N",
      description = "events one run may record (default 100000); past it the run fails")
  Long maxRunEvents;

  @Option(
      names = "--max-run-bytes",
      paramLabel = "SIZE",
      description = "bytes of events and outcomes one run may record, e.g. 256MiB (the default)")
  String maxRunBytes;

  @Option(
      names = "--max-outcome-bytes",
      paramLabel = "SIZE",
      description = "bytes of one step's outcome or the run's result, e.g. 16MiB (the default)")
  String maxOutcomeBytes;

  /** The store's location: {@code --store}, else the environment, else the default file. */
  String location() {
    if (store != null) {
      if (store.isBlank()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--store is empty: give a file, a postgresql:// URL or memory");
      }
      return store;
    }
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return env;
    }
    String prop = System.getProperty("braid.store");
    if (prop != null && !prop.isBlank()) {
      return prop;
    }
    return StoreConfig.defaultLocation().toString();
  }

  /** The configuration these options describe; {@code readOnly} for commands that only look. */
  StoreConfig config(boolean readOnly) {
    StoreConfig.Sync s =
        switch (sync.toLowerCase(Locale.ROOT)) {
          case "normal" -> StoreConfig.Sync.NORMAL;
          case "full" -> StoreConfig.Sync.FULL;
          default ->
              throw new CommandLine.ParameterException(
                  spec.commandLine(), "--store-sync must be normal or full, not '" + sync + "'");
        };
    StoreConfig.Budgets d = StoreConfig.Budgets.DEFAULT;
    StoreConfig.Budgets budgets =
        new StoreConfig.Budgets(
            maxRunEvents == null ? d.maxEvents() : positive(maxRunEvents, "--max-run-events"),
            maxRunBytes == null ? d.maxBytes() : size(maxRunBytes, "--max-run-bytes"),
            maxOutcomeBytes == null
                ? d.maxOutcomeBytes()
                : size(maxOutcomeBytes, "--max-outcome-bytes"));
    String where = location();
    // an in-memory store is this process's own, empty: nothing to protect by reading only
    return new StoreConfig(where, s, budgets, readOnly && !"memory".equals(where));
  }

  /**
   * Opens the store. A store that cannot be opened (held by another gateway, a bad URL, a file that
   * is not a store) throws a {@link dev.braid.gateway.store.StoreException} naming it.
   */
  RunStore open(boolean readOnly) {
    return RunStores.open(config(readOnly));
  }

  /**
   * True when the store is a SQLite file that does not exist yet: it holds no run, and a command
   * that only reads says so instead of failing to open it.
   */
  boolean notCreatedYet() {
    config(true); // bad options are refused whether or not the file exists
    String where = location();
    if (inMemory() || where.contains("://")) {
      return false;
    }
    try {
      return !java.nio.file.Files.exists(Path.of(where));
    } catch (java.nio.file.InvalidPathException e) {
      return false; // opening it explains
    }
  }

  /** True when runs are kept in this process only ({@code --store memory}). */
  boolean inMemory() {
    return "memory".equals(location());
  }

  private long positive(long n, String option) {
    if (n < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), option + " < 1: " + n);
    }
    return n;
  }

  /** {@code 1048576}, {@code 512KiB}, {@code 16MiB}, {@code 1GiB} (k, m, g are powers of 1024). */
  long size(String text, String option) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          option + ": '" + text + "' is not a size; write bytes or e.g. 512KiB, 16MiB, 1GiB");
    }
    long n = Long.parseLong(m.group(1));
    int shift =
        switch (m.group(2).isEmpty() ? 'b' : Character.toLowerCase(m.group(2).charAt(0))) {
          case 'k' -> 10;
          case 'm' -> 20;
          case 'g' -> 30;
          default -> 0;
        };
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new CommandLine.ParameterException(spec.commandLine(), option + " is too large");
    }
    return positive(n << shift, option);
  }
}
