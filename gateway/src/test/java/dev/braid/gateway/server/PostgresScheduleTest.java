package dev.braid.gateway.server;

import dev.braid.gateway.store.PostgresServer;
import java.nio.file.Path;

/** {@link ScheduleContract} on a real PostgreSQL ({@link PostgresServer}), a database per test. */
class PostgresScheduleTest extends ScheduleContract {
  @Override
  String newLocation(Path folder) {
    return PostgresServer.freshDatabase();
  }
}
