package dev.braid.gateway.server;

import java.nio.file.Path;

/** {@link DurableServerContract} on a SQLite store, a file of its own for each test. */
class SqliteDurableServerTest extends DurableServerContract {
  @Override
  String newLocation(Path folder) {
    return folder.resolve("braid.db").toString();
  }
}
