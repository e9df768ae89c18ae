package dev.braid.gateway.cli.crash;

import dev.braid.gateway.store.PostgresServer;

/**
 * The crash scenarios on PostgreSQL: a real server ({@link PostgresServer}: {@code
 * BRAID_TEST_PG_URL}, else a private cluster), a fresh database per test.
 */
class PostgresCrashResumeTest extends CrashResumeScenarios {
  @Override
  String store() {
    return PostgresServer.freshDatabase();
  }
}
