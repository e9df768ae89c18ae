package dev.braid.gateway.store;

/** Opens the {@link RunStore} a {@link StoreConfig} names. */
public final class RunStores {
  private RunStores() {}

  /**
   * Opens (creating or migrating the schema as needed) the store at {@code config.location()}.
   *
   * @throws StoreException with a message naming the location and what went wrong
   */
  public static RunStore open(StoreConfig config) {
    // the seam for the durable-runs work: the SQLite and PostgreSQL stores replace this
    throw new StoreException("no store implementation yet: " + config.location());
  }
}
