package dev.braid.gateway.cli;

import dev.braid.gateway.store.StoreException;
import java.io.PrintWriter;

/** Opening the store for a command, with an error a user can act on when it cannot be. */
final class StoreErrors {
  private StoreErrors() {}

  /**
   * The store {@code options} name, or null after printing why it cannot be opened (the command
   * then exits 2). A store held by another gateway is refused, with the way around it.
   */
  static StoreHandle open(StoreOptions options, boolean readOnly, PrintWriter err) {
    return open(options, readOnly, err, true);
  }

  /** As {@link #open(StoreOptions, boolean, PrintWriter)}; {@code hint}: add the way around. */
  static StoreHandle open(StoreOptions options, boolean readOnly, PrintWriter err, boolean hint) {
    try {
      return new StoreHandle(options.open(readOnly));
    } catch (StoreException e) {
      err.println("error: " + e.getMessage());
      if (hint && !readOnly && !options.inMemory()) {
        err.println(
            "hint: --store OTHER.db uses another store; --store memory runs without keeping the"
                + " run");
      }
      err.flush();
      return null;
    }
  }
}
