package dev.braid.gateway.store.internal;

import dev.braid.gateway.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * The lock that keeps a SQLite store to one gateway at a time: {@code <db>.lock}, locked with
 * {@link FileChannel#tryLock} for the store's lifetime and holding the holder's pid, so that a
 * second opener — another process or this one — is told who holds it.
 *
 * <p>The operating system's lock belongs to the process, so within one JVM a second {@code tryLock}
 * throws, and closing the refused opener's channel would release the holder's lock: the paths this
 * JVM holds are therefore kept in {@link #HELD} and refused before any channel is opened.
 */
public final class StoreLock implements AutoCloseable {
  private static final Set<Path> HELD = new HashSet<>();

  private final Path path;
  private final FileChannel channel;
  private final FileLock lock;

  private StoreLock(Path path, FileChannel channel, FileLock lock) {
    this.path = path;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of the store at {@code db}.
   *
   * @throws StoreException "store PATH is in use by another Braid process (pid N)" when held
   */
  public static StoreLock acquire(Path db) {
    // the real path: two spellings of one file (a symlinked folder) must meet in HELD, or the
    // second's refused channel, closed, would drop the first one's lock
    Path dir = db.toAbsolutePath().normalize().getParent();
    try {
      dir = dir.toRealPath();
    } catch (IOException e) {
      throw new StoreException(
          "cannot open the folder of the store " + db + ": " + e.getMessage(), e);
    }
    Path lockFile = dir.resolve(db.getFileName() + ".lock");
    long self = ProcessHandle.current().pid();
    synchronized (HELD) {
      if (HELD.contains(lockFile)) {
        throw inUse(db, self);
      }
      FileChannel ch = null;
      try {
        ch =
            FileChannel.open(
                lockFile,
                Set.of(
                    StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                FilePermissions.ownerOnly());
        FileLock lock;
        try {
          lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null;
        }
        if (lock == null) {
          String holder = readPid(ch);
          ch.close();
          throw inUse(db, holder);
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((self + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(false);
        HELD.add(lockFile);
        return new StoreLock(lockFile, ch, lock);
      } catch (IOException e) {
        closeQuietly(ch);
        throw new StoreException(
            "cannot lock the store " + db + " (" + lockFile + "): " + e.getMessage(), e);
      }
    }
  }

  private static StoreException inUse(Path db, Object pid) {
    return new StoreException(
        "store "
            + db
            + " is in use by another Braid process (pid "
            + pid
            + "); several gateways sharing runs need a PostgreSQL store"
            + " (--store postgresql://...)");
  }

  private static String readPid(FileChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(32);
    ch.read(b, 0);
    String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
    return s.matches("[0-9]{1,19}") ? s : "unknown";
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // already failing: the first error is the one to report
      }
    }
  }

  /** Releases the lock; idempotent. */
  @Override
  public void close() {
    synchronized (HELD) {
      if (!HELD.remove(path)) {
        return;
      }
      try {
        lock.release();
      } catch (IOException ignored) {
        // closing the channel releases it too
      }
      closeQuietly(channel);
    }
  }
}
