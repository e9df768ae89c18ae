package dev.braid.gateway.server.internal;

import dev.braid.model.CancelReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The work the server has started and not yet finished (runs, calls, scripts), so that shutdown can
 * wait for it and then cancel what is left. Thread-safe.
 */
public final class InFlight {
  private final Set<Entry> entries = new LinkedHashSet<>();

  /** One piece of work; {@link #close()} when it has finished. */
  public final class Entry implements AutoCloseable {
    private final Consumer<CancelReason> cancel;

    private Entry(Consumer<CancelReason> cancel) {
      this.cancel = cancel;
    }

    /** Idempotent. */
    @Override
    public void close() {
      synchronized (InFlight.this) {
        if (entries.remove(this)) {
          InFlight.this.notifyAll();
        }
      }
    }
  }

  /** Registers work; {@code cancel} is how shutdown cancels it (must not block). */
  public synchronized Entry add(Consumer<CancelReason> cancel) {
    Entry e = new Entry(cancel);
    entries.add(e);
    return e;
  }

  public synchronized int size() {
    return entries.size();
  }

  /** Waits until nothing is in flight or {@code max} has passed; true if nothing is. */
  public synchronized boolean awaitEmpty(Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (!entries.isEmpty()) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** Cancels everything in flight with {@code reason}; entries stay until their work finishes. */
  public void cancelAll(CancelReason reason) {
    List<Entry> now;
    synchronized (this) {
      now = new ArrayList<>(entries);
    }
    for (Entry e : now) {
      e.cancel.accept(reason);
    }
  }
}
