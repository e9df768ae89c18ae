package dev.braid.gateway.server;

import dev.braid.gateway.store.PostgresServer;

/** {@link DurableServeTest} on a real PostgreSQL ({@link PostgresServer}), a fresh database. */
class PostgresDurableServeTest extends DurableServeTest {
  @Override
  String location() {
    return PostgresServer.freshDatabase();
  }
}
