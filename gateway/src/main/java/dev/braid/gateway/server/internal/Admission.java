package dev.braid.gateway.server.internal;

import dev.braid.model.Clock;
import dev.braid.model.Durations;
import io.grpc.Deadline;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds one kind of work (runs, calls, scripts): at most {@code max} at once; beyond that a
 * request waits in a FIFO queue whose places are shared by every kind ({@link QueueBudget}), at
 * most {@code queueTimeout} (and never past the client's deadline). A request that finds the queue
 * full is shed at once with {@code RESOURCE_EXHAUSTED}: memory stays bounded however many arrive.
 *
 * <p>Thread-safe. Futures complete on the thread that releases a permit, on the timer, or at once;
 * dependents must not block.
 */
public final class Admission {
  private final String kind;
  private final String option;
  private final int max;
  private final QueueBudget queue;
  private final Duration queueTimeout;
  private final Clock clock;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  // guarded by this
  private int running;
  private int peak;
  private boolean closed;
  private final AtomicInteger shed = new AtomicInteger();

  /**
   * @param kind what is admitted, for messages: "run", "call", "script"
   * @param option the command-line option that sets {@code max}, for messages
   */
  public Admission(
      String kind, String option, int max, QueueBudget queue, Duration queueTimeout, Clock clock) {
    if (max < 1) {
      throw new IllegalArgumentException("max < 1: " + max);
    }
    this.kind = kind;
    this.option = option;
    this.max = max;
    this.queue = queue;
    this.queueTimeout = queueTimeout;
    this.clock = clock;
  }

  /** Held while the work runs; {@link #release()} hands the slot to the next waiter. */
  public final class Permit {
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit() {}

    /** Idempotent. */
    public void release() {
      if (released.compareAndSet(false, true)) {
        handOver();
      }
    }
  }

  private final class Waiter {
    final CompletableFuture<Permit> future = new CompletableFuture<>();
    volatile Clock.Timer timeout;
  }

  /**
   * A permit, now or after waiting. Fails with a {@link io.grpc.StatusRuntimeException}: {@code
   * RESOURCE_EXHAUSTED} when the queue is full or the wait exceeded the queue timeout, {@code
   * DEADLINE_EXCEEDED} when the client's deadline passed while waiting, {@code UNAVAILABLE} after
   * {@link #close()}. Cancelling the future gives up the place in the queue.
   *
   * @param clientDeadline the caller's deadline, or null
   */
  public CompletableFuture<Permit> acquire(Deadline clientDeadline) {
    Waiter w;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(
            Status.UNAVAILABLE
                .withDescription("the server is shutting down and accepts no new " + kind + "s")
                .asRuntimeException());
      }
      if (running < max) {
        running++;
        peak = Math.max(peak, running);
        return CompletableFuture.completedFuture(new Permit());
      }
      if (!queue.tryReserve()) {
        shed.incrementAndGet();
        return CompletableFuture.failedFuture(
            Status.RESOURCE_EXHAUSTED
                .withDescription(
                    "overloaded: "
                        + running
                        + " "
                        + kind
                        + "s running (limit "
                        + option
                        + " "
                        + max
                        + ") and "
                        + queue.limit()
                        + " requests already waiting (limit --max-queued); retry later")
                .asRuntimeException());
      }
      w = new Waiter();
      waiting.add(w);
    }
    long waitNanos = queueTimeout.toNanos();
    boolean clientBound = false;
    if (clientDeadline != null) {
      // the client's deadline made a little earlier, like every server-side owner of it
      // (Requests.ownDeadline): the client hears DEADLINE_EXCEEDED from us, not grpc's reset
      long n = clientDeadline.timeRemaining(TimeUnit.NANOSECONDS);
      long left = n - Requests.leadNanos(Math.max(0, n));
      if (left < waitNanos) {
        waitNanos = Math.max(0, left);
        clientBound = true;
      }
    }
    boolean byClient = clientBound;
    w.timeout = clock.schedule(Duration.ofNanos(waitNanos), () -> expire(w, byClient));
    // a cancelled waiter (client gone) gives its place back at once
    w.future.whenComplete((p, e) -> forget(w));
    return w.future;
  }

  private void expire(Waiter w, boolean byClient) {
    if (!forget(w)) {
      return;
    }
    shed.incrementAndGet();
    w.future.completeExceptionally(
        (byClient
                ? Status.DEADLINE_EXCEEDED.withDescription(
                    "the client's deadline passed while waiting for a free " + kind + " slot")
                : Status.RESOURCE_EXHAUSTED.withDescription(
                    "overloaded: waited "
                        + Durations.format(queueTimeout)
                        + " for a free "
                        + kind
                        + " slot ("
                        + max
                        + " running, limit "
                        + option
                        + "); retry later"))
            .asRuntimeException());
  }

  /** Removes a waiter still queued; true if it was. */
  private boolean forget(Waiter w) {
    synchronized (this) {
      if (!waiting.remove(w)) {
        return false;
      }
    }
    queue.release();
    if (w.timeout != null) {
      w.timeout.cancel();
    }
    return true;
  }

  private void handOver() {
    while (true) {
      Waiter next;
      synchronized (this) {
        next = waiting.poll();
        if (next == null) {
          running--;
          return;
        }
      }
      queue.release();
      if (next.timeout != null) {
        next.timeout.cancel();
      }
      if (next.future.complete(new Permit())) {
        return;
      }
      // that waiter was cancelled or timed out meanwhile: the slot goes to the next one
    }
  }

  /** Refuses new requests and fails every waiting one with {@code UNAVAILABLE}. */
  public void close() {
    List<Waiter> dropped;
    synchronized (this) {
      closed = true;
      dropped = new ArrayList<>(waiting);
      waiting.clear();
    }
    for (Waiter w : dropped) {
      queue.release();
      if (w.timeout != null) {
        w.timeout.cancel();
      }
      w.future.completeExceptionally(
          Status.UNAVAILABLE
              .withDescription("the server is shutting down; the " + kind + " did not start")
              .asRuntimeException());
    }
  }

  public synchronized int running() {
    return running;
  }

  public synchronized int waiting() {
    return waiting.size();
  }

  /** The most permits ever held at once. */
  public synchronized int peak() {
    return peak;
  }

  /** How many requests were shed (queue full, or waited too long). */
  public int shed() {
    return shed.get();
  }

  /** The places in the queue, shared by every kind of work. Thread-safe. */
  public static final class QueueBudget {
    private final int limit;
    private final AtomicInteger used = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    public QueueBudget(int limit) {
      if (limit < 0) {
        throw new IllegalArgumentException("limit < 0: " + limit);
      }
      this.limit = limit;
    }

    boolean tryReserve() {
      while (true) {
        int n = used.get();
        if (n >= limit) {
          return false;
        }
        if (used.compareAndSet(n, n + 1)) {
          peak.accumulateAndGet(n + 1, Math::max);
          return true;
        }
      }
    }

    void release() {
      used.decrementAndGet();
    }

    public int limit() {
      return limit;
    }

    public int used() {
      return used.get();
    }

    /** The most places ever taken at once. */
    public int peak() {
      return peak.get();
    }
  }
}
