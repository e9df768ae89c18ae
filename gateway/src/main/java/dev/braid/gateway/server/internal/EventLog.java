package dev.braid.gateway.server.internal;

import dev.braid.proto.api.v1.EventType;
import dev.braid.proto.api.v1.RunEvent;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The events of one run, numbered from 0, keeping a bounded window of the latest: at most {@code
 * window} events and {@code maxBytes} bytes of them (the latest event is always kept, so the
 * outcome is never lost). Readers are cursors ({@link EventStreamer}): the run never waits for a
 * reader, and a reader that falls behind the window skips to its start — the gap in the sequence
 * numbers shows it.
 *
 * <p>A run resumed from a store continues the numbering of its stored events ({@link #startAt}). A
 * log can also end without an outcome ({@link #abort}): the server stopped running the run, which
 * another life of the server resumes.
 *
 * <p>Thread-safe. Listeners run on the appending thread (the engine's run thread) and must only
 * schedule work.
 */
public final class EventLog implements EventSource {
  private final ArrayDeque<RunEvent> events = new ArrayDeque<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  // guarded by this
  private int window;
  private long maxBytes;
  private long bytes;
  private long nextSeq;
  private boolean finished;
  private Status aborted;

  public EventLog(int window, long maxBytes) {
    this.window = window;
    this.maxBytes = maxBytes;
  }

  /**
   * Numbers the events from {@code seq} on instead of 0: a resumed run's stored events come first.
   *
   * @throws IllegalStateException if an event was appended already
   */
  public void startAt(long seq) {
    synchronized (this) {
      if (!events.isEmpty() || nextSeq != 0) {
        throw new IllegalStateException("events were appended already: " + nextSeq);
      }
      nextSeq = seq;
    }
    for (Runnable l : listeners) {
      l.run();
    }
  }

  /**
   * A read: the events from a position on, and whether the log ends there.
   *
   * @param aborted when the log ended without an outcome, the status a stream ends with; else null
   */
  public record Slice(List<RunEvent> events, long nextSeq, boolean finished, Status aborted) {
    public Slice(List<RunEvent> events, long nextSeq, boolean finished) {
      this(events, nextSeq, finished, null);
    }

    /** True when the reader has everything and the run has finished. */
    public boolean end(long cursor) {
      return finished && cursor >= nextSeq;
    }
  }

  /** Numbers and appends an event; the {@code RUN_FINISHED} event closes the log. */
  public void append(RunEvent.Builder event) {
    synchronized (this) {
      if (finished) {
        return;
      }
      RunEvent e = event.setSeq(nextSeq++).build();
      events.add(e);
      bytes += e.getSerializedSize();
      trimLocked();
      finished = e.getType() == EventType.EVENT_TYPE_RUN_FINISHED;
    }
    for (Runnable l : listeners) {
      l.run();
    }
  }

  /** Up to {@code max} events with {@code seq >= from} (or from the oldest kept, if later). */
  @Override
  public synchronized Slice read(long from, int max) {
    List<RunEvent> out = new ArrayList<>(Math.min(max, events.size()));
    for (RunEvent e : events) {
      if (out.size() >= max) {
        break;
      }
      if (e.getSeq() >= from) {
        out.add(e);
      }
    }
    return new Slice(out, nextSeq, finished, aborted);
  }

  /**
   * Ends the log without an outcome: readers get the events appended so far, then {@code status}.
   * Later appends are dropped. No effect on a log that has ended.
   */
  public void abort(Status status) {
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
      aborted = status;
    }
    for (Runnable l : listeners) {
      l.run();
    }
  }

  /** The number of the oldest event still kept ({@link #nextSeq} when none is). */
  public synchronized long oldestSeq() {
    RunEvent first = events.peekFirst();
    return first == null ? nextSeq : first.getSeq();
  }

  /** Runs {@code listener} after every append; returns the handle that removes it. */
  @Override
  public Runnable subscribe(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  public synchronized long nextSeq() {
    return nextSeq;
  }

  public synchronized boolean finished() {
    return finished;
  }

  public synchronized long bytes() {
    return bytes;
  }

  /** Shrinks the window (for a finished run kept for replay); returns the bytes kept. */
  public synchronized long shrink(int newWindow, long newMaxBytes) {
    window = Math.min(window, newWindow);
    maxBytes = Math.min(maxBytes, newMaxBytes);
    trimLocked();
    return bytes;
  }

  private void trimLocked() {
    while (events.size() > 1 && (events.size() > window || bytes > maxBytes)) {
      bytes -= events.removeFirst().getSerializedSize();
    }
  }
}
