package dev.braid.internal.worker;

import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Placement: which worker gets a call. Holds the open {@linkplain Lane lanes} (one per worker that
 * takes calls, each with the in-flight limit its Hello announced) and the calls waiting for a slot.
 * A call goes to the open lane with the fewest calls in flight below its limit, skipping lanes that
 * are {@linkplain Lane#late() late}; when none is free it waits in a bounded FIFO queue (full:
 * {@code RESOURCE_EXHAUSTED Overloaded} at once) and is dispatched, oldest first, when a slot frees
 * up or a lane opens. Knows nothing of processes: a {@link SlotSource} opens and retires lanes.
 *
 * <p>Thread-safe: one lock guards the lanes' counters and the queue, and is held only for
 * bookkeeping; {@link PoolClient} callbacks and {@link SlotSource#demand()} run outside it, on the
 * thread that caused them (the acquirer, the releaser, the source). Acquiring or releasing a slot
 * while nobody waits allocates nothing.
 */
public final class SlotQueue implements SlotProvider {
  private final SlotSource source;
  private final int capacity;

  private final Object lock = new Object();
  // guarded by lock
  private final List<Lane> lanes = new ArrayList<>();
  private final LinkedHashSet<PoolClient> waiting = new LinkedHashSet<>();
  private Failure closed;

  /**
   * @param source told when calls wait with no free slot
   * @param capacity how many calls may wait before new ones are shed; 0 sheds every call that finds
   *     no free slot
   */
  public SlotQueue(SlotSource source, int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity < 0: " + capacity);
    }
    this.source = source;
    this.capacity = capacity;
  }

  /**
   * One worker's place in the queue: the calls it has in flight against its limit. Subclasses say
   * who the worker is and how to reach it; the counters belong to the queue. {@link #release()}
   * hands the slot back (and may dispatch a waiting call on the releasing thread).
   */
  public abstract static class Lane implements WorkerSlot {
    // guarded by the queue's lock
    private SlotQueue queue;
    private int inFlight;
    private int maxInFlight = 1;
    private boolean open;
    private boolean retired;

    /**
     * True while the worker should get no new calls although it is open, e.g. its event loop has
     * not answered a ping for a while: calls then wait for another lane, its recovery or its
     * replacement instead of piling up behind it. Called under the queue's lock: must be quick and
     * must not take locks.
     */
    protected abstract boolean late();

    @Override
    public final void release() {
      queue.release(this);
    }
  }

  @Override
  public void acquire(PoolClient client) {
    Lane chosen;
    Failure rejection = null;
    synchronized (lock) {
      if (closed != null) {
        rejection = closed;
        chosen = null;
      } else if ((chosen = pickLocked()) != null) {
        chosen.inFlight++;
      } else if (waiting.size() >= capacity) {
        rejection = overloaded(waiting.size());
      } else {
        waiting.add(client);
      }
    }
    if (chosen != null) {
      client.dispatch(chosen);
    } else if (rejection != null) {
      client.reject(rejection);
    } else {
      source.demand();
    }
  }

  @Override
  public boolean withdraw(PoolClient client) {
    synchronized (lock) {
      return waiting.remove(client);
    }
  }

  /**
   * Adds a lane that now takes up to {@code maxInFlight} calls (at least 1), and hands it waiting
   * calls. A lane already retired, or a closed queue, ignores this.
   */
  public void open(Lane lane, int maxInFlight) {
    List<Runnable> dispatches;
    synchronized (lock) {
      if (closed != null || lane.retired || lane.open) {
        return;
      }
      lane.queue = this;
      lane.maxInFlight = Math.max(1, maxInFlight);
      lane.open = true;
      lanes.add(lane);
      dispatches = drainLocked();
    }
    run(dispatches);
  }

  /**
   * Takes a lane out: it gets no new calls from now on. Its calls in flight keep their slots (they
   * end through their own outcome or the loss of the worker). Idempotent; a lane never opened
   * cannot be opened afterwards.
   */
  public void retire(Lane lane) {
    synchronized (lock) {
      lane.retired = true;
      if (lane.open) {
        lane.open = false;
        lanes.remove(lane);
      }
    }
  }

  /**
   * Offers waiting calls to the open lanes again; for a source whose lane stopped being {@link
   * Lane#late() late}.
   */
  public void drain() {
    List<Runnable> dispatches;
    synchronized (lock) {
      if (waiting.isEmpty()) {
        return;
      }
      dispatches = drainLocked();
    }
    run(dispatches);
  }

  /** Fails every waiting call with {@code failure} (no worker can be had for them). */
  public void rejectWaiting(Failure failure) {
    List<PoolClient> failed;
    synchronized (lock) {
      failed = takeWaitingLocked();
    }
    failed.forEach(c -> c.reject(failure));
  }

  /**
   * Refuses every call from now on with {@code failure}, and fails the waiting ones with it. Lanes
   * keep their calls in flight. Idempotent: the first failure stays.
   */
  public void close(Failure failure) {
    List<PoolClient> failed;
    synchronized (lock) {
      if (closed != null) {
        return;
      }
      closed = failure;
      failed = takeWaitingLocked();
    }
    failed.forEach(c -> c.reject(failure));
  }

  /** How many calls wait for a slot right now. */
  public int waiting() {
    synchronized (lock) {
      return waiting.size();
    }
  }

  /** How many calls {@code lane} has in flight. */
  public int inFlight(Lane lane) {
    synchronized (lock) {
      return lane.inFlight;
    }
  }

  private void release(Lane lane) {
    List<Runnable> dispatches;
    synchronized (lock) {
      lane.inFlight--;
      // nobody waits (the usual case): no list, no dispatch
      if (waiting.isEmpty() || !lane.open) {
        return;
      }
      dispatches = drainLocked();
    }
    run(dispatches);
  }

  /** The open, punctual lane with the fewest calls below its limit; the first such on a tie. */
  private Lane pickLocked() {
    Lane best = null;
    for (int i = 0, n = lanes.size(); i < n; i++) {
      Lane l = lanes.get(i);
      if (l.inFlight < l.maxInFlight && (best == null || l.inFlight < best.inFlight) && !l.late()) {
        best = l;
      }
    }
    return best;
  }

  /** Pairs waiting calls, oldest first, with free slots; the caller runs the pairs unlocked. */
  private List<Runnable> drainLocked() {
    List<Runnable> out = new ArrayList<>();
    while (!waiting.isEmpty()) {
      Lane l = pickLocked();
      if (l == null) {
        break;
      }
      var it = waiting.iterator();
      PoolClient c = it.next();
      it.remove();
      l.inFlight++;
      out.add(() -> c.dispatch(l));
    }
    return out;
  }

  private List<PoolClient> takeWaitingLocked() {
    List<PoolClient> all = new ArrayList<>(waiting);
    waiting.clear();
    return all;
  }

  private Failure overloaded(int queued) {
    return Failure.of(
        FailureCode.RESOURCE_EXHAUSTED,
        "Overloaded",
        queued
            + " calls already wait for a "
            + source.language()
            + " worker (queue capacity "
            + capacity
            + ")");
  }

  private static void run(List<Runnable> dispatches) {
    for (int i = 0, n = dispatches.size(); i < n; i++) {
      dispatches.get(i).run();
    }
  }
}
