package dev.braid.gateway.server;

import dev.braid.gateway.store.PostgresServer;
import java.nio.file.Path;

/**
 * {@link DurableServerContract} on a real PostgreSQL ({@link PostgresServer}), a fresh database for
 * each test.
 */
class PostgresDurableServerTest extends DurableServerContract {
  @Override
  String newLocation(Path folder) {
    return PostgresServer.freshDatabase();
  }
}
