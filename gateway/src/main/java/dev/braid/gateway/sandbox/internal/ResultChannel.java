package dev.braid.gateway.sandbox.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The runner's result channel: a FIFO the gateway creates in a private directory and binds into the
 * sandbox at {@code /run/braid/result}. The runner writes {@code R} when it is ready, then one JSON
 * line. Nothing else of the sandbox's file system is ever read by the host.
 *
 * <p>The gateway opens the FIFO read-write (never blocks, even if the runner never opens it) with
 * {@code O_NOFOLLOW}, reads on an I/O thread with a size cap, and ends the stream itself: once the
 * sandbox is dead it writes an empty line after everything the runner wrote, so the reader stops
 * there without waiting for an EOF that holding a write end would never give.
 */
final class ResultChannel implements AutoCloseable {
  private final FileChannel readSide;
  private final FileChannel endSide;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile long cap;
  private volatile Runnable onOverflow = () -> {};
  private volatile Runnable onRecord = () -> {};
  private volatile String record;
  private volatile boolean overflow;
  private volatile boolean extraLines;

  private ResultChannel(FileChannel readSide, FileChannel endSide, long cap) {
    this.readSide = readSide;
    this.endSide = endSide;
    this.cap = cap;
  }

  /** Creates the FIFO {@code dir/result} (owned by {@code uid} when >= 0) and starts reading. */
  static ResultChannel create(Path dir, int uid, long cap, Executor io) throws IOException {
    Path fifo = dir.resolve("result");
    mkfifo(fifo);
    if (uid >= 0) {
      Files.setAttribute(fifo, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(fifo, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
    }
    BasicFileAttributes a =
        Files.readAttributes(fifo, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isOther()) {
      throw new IOException("not a FIFO: " + fifo);
    }
    FileChannel r =
        FileChannel.open(
            fifo, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    FileChannel w;
    try {
      w = FileChannel.open(fifo, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      r.close();
      throw e;
    }
    ResultChannel ch = new ResultChannel(r, w, cap);
    io.execute(ch::readLoop);
    return ch;
  }

  /** Completes when the runner has opened the channel and is waiting for its request. */
  CompletableFuture<Void> ready() {
    return ready;
  }

  /** Sets the byte cap and what to do when the runner writes past it (called at hand-over). */
  void limit(long newCap, Runnable overflowAction) {
    this.cap = newCap;
    this.onOverflow = overflowAction;
  }

  /** What to do as soon as the result line is complete (called on the reader's thread). */
  void onRecord(Runnable action) {
    this.onRecord = action;
  }

  /**
   * Ends the stream after everything the runner wrote (call only when no sandbox process is left)
   * and waits up to {@code waitMillis} for the reader. Returns the result line, or null.
   */
  String finish(long waitMillis) {
    try {
      endSide.write(ByteBuffer.wrap(new byte[] {'\n'}));
      done.get(waitMillis, TimeUnit.MILLISECONDS);
    } catch (IOException | TimeoutException | ExecutionException e) {
      // the reader is stuck or gone: whatever it has is all there is
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return record;
  }

  /** The result line, once the runner wrote it (null before). */
  String record() {
    return record;
  }

  boolean overflowed() {
    return overflow;
  }

  boolean sawExtraLines() {
    return extraLines;
  }

  boolean isReady() {
    return ready.isDone();
  }

  @Override
  public void close() {
    try {
      readSide.close();
    } catch (IOException e) {
      // nothing to do
    }
    try {
      endSide.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  private void readLoop() {
    ByteBuffer buf = ByteBuffer.allocate(8192);
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    long total = 0;
    try {
      while (readSide.read(buf.clear()) > 0) {
        buf.flip();
        while (buf.hasRemaining()) {
          byte b = buf.get();
          if (b != '\n') {
            if (++total > cap && !overflow) {
              overflow = true;
              onOverflow.run();
            }
            if (!overflow) {
              line.write(b);
            }
            continue;
          }
          String text = line.toString(StandardCharsets.UTF_8);
          line.reset();
          if (text.isEmpty()) {
            return; // the gateway's end marker
          } else if (text.equals("R") && !ready.isDone()) {
            ready.complete(null);
          } else if (record == null && !overflow) {
            record = text;
            onRecord.run();
          } else {
            extraLines = true;
          }
        }
      }
    } catch (IOException e) {
      // closed under us
    } finally {
      done.complete(null);
    }
  }

  private static void mkfifo(Path fifo) throws IOException {
    Process p = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).start();
    try {
      p.getOutputStream().close();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(
            "mkfifo " + fifo + " failed: " + new String(p.getErrorStream().readAllBytes()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }
}
