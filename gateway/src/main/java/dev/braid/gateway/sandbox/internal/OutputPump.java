package dev.braid.gateway.sandbox.internal;

import dev.braid.gateway.sandbox.OutputListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one of the sandbox's output pipes as it comes: decodes UTF-8 across chunk boundaries,
 * captures the text and hands each chunk to the current listener, charging every byte to a budget
 * shared by stdout, stderr and the result. Past the budget nothing more is kept or delivered; the
 * pipe is still drained so the writer never blocks on it while it is being killed.
 */
final class OutputPump implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(OutputPump.class);

  /** The bytes all of a sandbox's output may use; {@code onOverflow} runs once when exceeded. */
  static final class Budget {
    private final AtomicLong used = new AtomicLong();
    private volatile long cap;
    private volatile Runnable onOverflow = () -> {};
    private volatile boolean overflowed;

    Budget(long cap) {
      this.cap = cap;
    }

    void limit(long newCap, Runnable overflowAction) {
      this.cap = newCap;
      this.onOverflow = overflowAction;
      if (used.get() > newCap) {
        overflow();
      }
    }

    /** Charges n bytes; returns how many of them are within the cap. */
    int take(int n) {
      long after = used.addAndGet(n);
      long c = cap;
      if (after <= c) {
        return n;
      }
      overflow();
      return (int) Math.max(0, n - (after - c));
    }

    boolean overflowed() {
      return overflowed;
    }

    private synchronized void overflow() {
      if (!overflowed) {
        overflowed = true;
        onOverflow.run();
      }
    }
  }

  private final InputStream in;
  private final OutputListener.Stream which;
  private final Budget budget;
  private final StringBuilder captured = new StringBuilder();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile OutputListener listener = OutputListener.NONE;

  OutputPump(InputStream in, OutputListener.Stream which, Budget budget) {
    this.in = in;
    this.which = which;
    this.budget = budget;
  }

  void listener(OutputListener l) {
    this.listener = l;
  }

  CompletableFuture<Void> done() {
    return done;
  }

  /** What was captured so far (call after {@link #done()} for all of it). */
  String text() {
    synchronized (captured) {
      return captured.toString();
    }
  }

  /** Unblocks a read stuck on a pipe that some escaped process still holds. */
  void abort() {
    try {
      in.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  @Override
  public void run() {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    byte[] chunk = new byte[8192];
    ByteBuffer pending = ByteBuffer.allocate(chunk.length + 8);
    CharBuffer chars = CharBuffer.allocate(chunk.length + 8);
    try {
      int n;
      while ((n = in.read(chunk)) >= 0) {
        int keep = budget.take(n);
        if (keep > 0) {
          pending.put(chunk, 0, keep).flip();
          decoder.decode(pending, chars.clear(), false);
          pending.compact();
          deliver(chars.flip());
        }
      }
    } catch (IOException e) {
      // closed: the sandbox is gone
    } finally {
      pending.flip();
      decoder.decode(pending, chars.clear(), true);
      decoder.flush(chars);
      deliver(chars.flip());
      done.complete(null);
    }
  }

  private void deliver(CharBuffer chars) {
    if (!chars.hasRemaining()) {
      return;
    }
    String text = chars.toString();
    synchronized (captured) {
      captured.append(text);
    }
    try {
      listener.onOutput(which, text);
    } catch (RuntimeException e) {
      log.warn("output listener failed on {}", which, e);
    }
  }
}
