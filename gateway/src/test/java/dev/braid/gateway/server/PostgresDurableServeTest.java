package dev.braid.gateway.server;

import dev.braid.gateway.store.PostgresServer;

/** {@link DurableServeTest} on a real PostgreSQL ({@link PostgresServer}), a fresh database. */
class PostgresDurableServeTest extends DurableServeTest {
  @Override
  String location() {
    return PostgresServer.freshDatabase();
  }

  /**
   * Not run here (no {@code @Test}): {@code braid signal} reaches a live run through a SQLite
   * store's socket; on PostgreSQL clients signal through SignalRun (docs/durability.md).
   */
  @Override
  void braidSignalReachesARunOfTheServerHoldingTheStore() {}
}
