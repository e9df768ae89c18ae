package dev.braid.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A SQLite store is held by one gateway at a time. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreLockTest {
  @TempDir Path dir;

  private StoreConfig config(Path db, boolean readOnly) {
    return new StoreConfig(
        db.toString(), StoreConfig.Sync.NORMAL, StoreConfig.Budgets.DEFAULT, readOnly);
  }

  @Test
  void aSecondOpenerInTheSameProcessIsRefusedAndTheFirstKeepsItsLock() {
    Path db = dir.resolve("braid.db");
    try (RunStore first = RunStores.open(config(db, false))) {
      assertThatThrownBy(() -> RunStores.open(config(db, false)))
          .isInstanceOf(StoreException.class)
          .hasMessage(
              "store "
                  + db
                  + " is in use by another Braid process (pid "
                  + ProcessHandle.current().pid()
                  + "); several gateways sharing runs need a PostgreSQL store"
                  + " (--store postgresql://...)");
      // the refusal did not release the holder's lock, and the holder still writes
      assertThatThrownBy(() -> RunStores.open(config(db, false)))
          .isInstanceOf(StoreException.class);
      first.create("w", "name: w\n", IntNode.valueOf(1), null);
      // a reader takes no lock
      try (RunStore ro = RunStores.open(config(db, true))) {
        assertThat(ro.list(null, 10)).hasSize(1);
      }
    }
    try (RunStore again = RunStores.open(config(db, false))) {
      assertThat(again.list(null, 10)).hasSize(1);
    }
  }

  @Test
  void aSecondOpenerInAnotherProcessIsToldItsPidUntilItDies() throws Exception {
    Path db = dir.resolve("sub").resolve("braid.db");
    try (ChildProcess child = new ChildProcess("hold", db.toString())) {
      String ready = child.line();
      assertThat(ready).startsWith("ready ");
      long pid = Long.parseLong(ready.substring(6));
      assertThatThrownBy(() -> RunStores.open(config(db, false)))
          .isInstanceOf(StoreException.class)
          .hasMessage(
              "store "
                  + db
                  + " is in use by another Braid process (pid "
                  + pid
                  + "); several gateways sharing runs need a PostgreSQL store"
                  + " (--store postgresql://...)");
      child.kill();
    }
    // the operating system released the dead holder's lock
    try (RunStore mine = RunStores.open(config(db, false))) {
      assertThat(mine.list(null, 10)).isEmpty();
    }
  }

  @Test
  void anotherSpellingOfTheSamePathIsRefusedToo() throws Exception {
    Path real = Files.createDirectories(dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    try (RunStore first = RunStores.open(config(real.resolve("braid.db"), false))) {
      assertThatThrownBy(() -> RunStores.open(config(link.resolve("braid.db"), false)))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("is in use by another Braid process");
      assertThatThrownBy(() -> RunStores.open(config(real.resolve("braid.db"), false)))
          .as("the holder's lock survived the refusal")
          .isInstanceOf(StoreException.class);
    }
  }

  @Test
  void theStoresFolderAndFileAreTheOwnersOnly() throws Exception {
    Path db = dir.resolve("new").resolve("braid.db");
    try (RunStore s = RunStores.open(config(db, false))) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db.getParent())))
          .isEqualTo("rwx------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db)))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void aMissingStoreCannotBeOpenedReadOnly() {
    Path db = dir.resolve("none.db");
    assertThatThrownBy(() -> RunStores.open(config(db, true)))
        .isInstanceOf(StoreException.class)
        .hasMessage("no store at " + db);
  }
}
