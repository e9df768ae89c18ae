package dev.braid.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Clock} whose time moves only through {@link #advance}: due tasks then run, in time
 * order, on the advancing thread. For tests of deadlines, timers and retry waits that must not
 * sleep. Thread-safe; a task may schedule further tasks, which run in the same advance if they fall
 * due.
 */
public final class ManualClock implements Clock {
  private final Object lock = new Object();
  // guarded by lock
  private long now;
  private long sequence;
  private final PriorityQueue<Task> due = new PriorityQueue<>();

  private static final class Task implements Comparable<Task> {
    final long at;
    final long order;
    final Runnable body;
    boolean cancelled;

    Task(long at, long order, Runnable body) {
      this.at = at;
      this.order = order;
      this.body = body;
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }

  /** Starts at an arbitrary large reading, so code cannot mistake it for "no time". */
  public ManualClock() {
    this.now = 1_000_000_000_000L;
  }

  @Override
  public long nanoTime() {
    synchronized (lock) {
      return now;
    }
  }

  @Override
  public Timer schedule(Duration delay, Runnable task) {
    long d = Math.max(0, Durations.saturatedNanos(delay));
    Task t;
    synchronized (lock) {
      long at = d > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + d;
      t = new Task(at, sequence++, task);
      due.add(t);
    }
    return () -> {
      synchronized (lock) {
        boolean pending = !t.cancelled && due.remove(t);
        t.cancelled = true;
        return pending;
      }
    };
  }

  /** Moves time forward by {@code step}, running every task that falls due, in time order. */
  public void advance(Duration step) {
    long target;
    synchronized (lock) {
      target = now + Math.max(0, Durations.saturatedNanos(step));
    }
    while (true) {
      Task next;
      synchronized (lock) {
        next = due.peek();
        if (next == null || next.at > target) {
          now = Math.max(now, target);
          return;
        }
        due.poll();
        next.cancelled = true;
        now = Math.max(now, next.at);
      }
      next.body.run();
    }
  }

  /** Runs the tasks already due without moving time (e.g. those scheduled with a zero delay). */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** How many tasks are waiting, for tests that check timers are disarmed. */
  public int pending() {
    synchronized (lock) {
      return due.size();
    }
  }

  /** The delays of the waiting tasks from now, earliest first, for tests and failure messages. */
  public List<Duration> pendingDelays() {
    synchronized (lock) {
      List<Task> sorted = new ArrayList<>(due);
      sorted.sort(null);
      List<Duration> out = new ArrayList<>();
      for (Task t : sorted) {
        out.add(Duration.ofNanos(t.at - now));
      }
      return out;
    }
  }
}
