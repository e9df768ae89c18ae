package dev.braid.gateway.server;

import java.nio.file.Path;

/** {@link ScheduleContract} on a SQLite store, a file of its own for each test. */
class SqliteScheduleTest extends ScheduleContract {
  @Override
  String newLocation(Path folder) {
    return folder.resolve("braid.db").toString();
  }
}
