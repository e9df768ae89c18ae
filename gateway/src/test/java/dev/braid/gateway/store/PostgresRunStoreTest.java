package dev.braid.gateway.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The {@link RunStoreContract} on a real PostgreSQL ({@link PostgresServer}), a fresh database
 * each.
 */
class PostgresRunStoreTest extends RunStoreContract {
  @Override
  String newLocation() {
    return PostgresServer.freshDatabase();
  }

  @Override
  Connection rawConnection() throws SQLException {
    return PostgresServer.connect(location);
  }
}
