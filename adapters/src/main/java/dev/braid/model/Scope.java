package dev.braid.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A node in the tree of work (DESIGN §3.1): an optional absolute deadline and a sticky cancellation
 * state. The effective deadline is the earliest of this scope's and its ancestors'. Cancelling a
 * scope cancels its children with {@link CancelReason#PARENT_CANCELLED}, keeping the root reason
 * reachable through {@link #rootReason()}.
 *
 * <p>The scope is the one owner of its deadline (like grpc-java's {@code Context.withDeadline}): a
 * scope whose own deadline is earlier than the one it inherits arms ONE timer, on the {@link Clock}
 * its {@link Deadline} was made from, and when it fires cancels itself with {@link
 * CancelReason#DEADLINE_EXCEEDED}; a scope whose deadline is not earlier arms none, since an
 * ancestor's timer fires first. The timer is cleared when the scope is cancelled or closed. Which
 * scope's deadline fired is recorded ({@link #expiredBy()}), so telling "the run's timeout" from
 * "the step's" or "the attempt's" needs no walk up the tree afterwards. Nothing else in Braid
 * schedules a deadline cancel.
 *
 * <p>Thread-safe. Cancel listeners run exactly once, on the thread that cancels (the clock's timer
 * thread for a deadline, or at once, on the registering thread, if the scope is already cancelled);
 * they must not block.
 *
 * <p>Closing a scope (structured concurrency) cancels every child that is still open.
 */
public final class Scope implements AutoCloseable {
  private final Scope parent;
  private final Deadline deadline;
  // the scope whose own deadline is the effective one (this, or an ancestor); null without one
  private final Scope deadlineOwner;
  private final Object lock = new Object();
  // guarded by lock
  private CancelReason reason;
  private CancelReason rootReason;
  private Scope expiredBy;
  private Clock.Timer timer;
  private boolean closed;
  private final Set<Scope> children = new LinkedHashSet<>();
  private final List<Consumer<CancelReason>> listeners = new ArrayList<>();

  private Scope(Scope parent, Deadline own) {
    this.parent = parent;
    Deadline inherited = parent == null ? null : parent.deadline;
    if (own != null && (inherited == null || own.compareTo(inherited) < 0)) {
      this.deadline = own;
      this.deadlineOwner = this;
    } else {
      this.deadline = inherited;
      this.deadlineOwner = parent == null ? null : parent.deadlineOwner;
    }
  }

  /** A new root scope with no deadline. */
  public static Scope root() {
    return new Scope(null, null);
  }

  /**
   * A new root scope with the given deadline (null = none); a deadline arms a timer on its clock.
   */
  public static Scope root(Deadline deadline) {
    Scope s = new Scope(null, deadline);
    s.armIfOwner();
    return s;
  }

  /**
   * A child scope whose deadline is the earlier of {@code deadline} (null = none) and this scope's;
   * it arms a timer only when its own deadline is the earlier. If this scope is already cancelled
   * or closed, the child starts cancelled (and arms nothing).
   */
  public Scope child(Deadline deadline) {
    Scope c = new Scope(this, deadline);
    CancelReason inherited;
    synchronized (lock) {
      inherited = reason != null ? reason : closed ? CancelReason.PARENT_CANCELLED : null;
      if (inherited == null) {
        children.add(c);
      }
    }
    if (inherited != null) {
      c.cancel(CancelReason.PARENT_CANCELLED, rootReasonOr(inherited), expiredBy());
    } else {
      c.armIfOwner();
    }
    return c;
  }

  private void armIfOwner() {
    if (deadlineOwner != this) {
      return;
    }
    Clock.Timer t =
        deadline
            .clock()
            .schedule(Duration.ofNanos(Math.max(0, deadline.remainingNanos())), this::expire);
    boolean late;
    synchronized (lock) {
      late = reason != null || closed;
      if (!late) {
        timer = t;
      }
    }
    if (late) {
      // cancelled or closed while the timer was being armed: nothing may fire for it now
      t.cancel();
    }
  }

  /** The timer's task: this scope's own deadline passed. */
  private void expire() {
    cancel(CancelReason.DEADLINE_EXCEEDED, CancelReason.DEADLINE_EXCEEDED, this);
  }

  public Scope child() {
    return child(null);
  }

  /** The effective deadline, or null when neither this scope nor an ancestor has one. */
  public Deadline deadline() {
    return deadline;
  }

  public Scope parent() {
    return parent;
  }

  /**
   * The scope whose deadline timer cancelled this one — this scope itself, or the ancestor whose
   * deadline was the earlier — or null when this scope was not cancelled by a deadline (a cancel
   * with reason {@code deadline_exceeded} from outside, e.g. a client's own deadline, records
   * none).
   */
  public Scope expiredBy() {
    synchronized (lock) {
      return expiredBy;
    }
  }

  /**
   * If the effective deadline has passed, fires it now, on the scope that owns it, exactly as its
   * timer is about to; returns whether it had passed. For work that learned of the deadline before
   * the timer fired (a worker enforces the same deadline, and its answer can arrive first): the
   * timeout is then still reported as the timeout of the scope it belongs to.
   */
  public boolean expireIfDue() {
    if (deadline == null || !deadline.isExpired()) {
      return false;
    }
    deadlineOwner.expire();
    return true;
  }

  public boolean isCancelled() {
    synchronized (lock) {
      return reason != null;
    }
  }

  /** The first reason this scope was cancelled with, or null while not cancelled. */
  public CancelReason reason() {
    synchronized (lock) {
      return reason;
    }
  }

  /**
   * The reason at the root of the cancellation: for a scope cancelled because its parent was, the
   * parent's root reason; otherwise the scope's own reason. Null while not cancelled.
   */
  public CancelReason rootReason() {
    synchronized (lock) {
      return rootReason;
    }
  }

  /**
   * Cancels this scope and its descendants. Only the first call has an effect: later calls (with
   * any reason) return false.
   */
  public boolean cancel(CancelReason why) {
    return cancel(why, why, null);
  }

  private boolean cancel(CancelReason why, CancelReason root, Scope expired) {
    Objects.requireNonNull(why, "why");
    List<Consumer<CancelReason>> toRun;
    List<Scope> kids;
    Clock.Timer t;
    synchronized (lock) {
      if (reason != null) {
        return false;
      }
      reason = why;
      rootReason = root;
      expiredBy = expired;
      t = timer;
      timer = null;
      toRun = new ArrayList<>(listeners);
      listeners.clear();
      kids = new ArrayList<>(children);
      children.clear();
    }
    if (t != null) {
      t.cancel();
    }
    // This scope's own listeners first, then the children: a call must hear of its own cancel
    // before the outcomes of its cancelled children can reach it, or a worker would see a
    // child's failure instead of its own cancellation.
    for (Consumer<CancelReason> l : toRun) {
      l.accept(why);
    }
    for (Scope k : kids) {
      k.cancel(CancelReason.PARENT_CANCELLED, root, expired);
    }
    return true;
  }

  /**
   * Runs {@code listener} once when this scope is cancelled, with the scope's reason; at once if it
   * already is. Returns a handle that unregisters the listener.
   */
  public Runnable onCancel(Consumer<CancelReason> listener) {
    CancelReason already;
    synchronized (lock) {
      already = reason;
      if (already == null) {
        listeners.add(listener);
      }
    }
    if (already != null) {
      listener.accept(already);
      return () -> {};
    }
    return () -> {
      synchronized (lock) {
        listeners.remove(listener);
      }
    };
  }

  /**
   * Finishes this scope: its deadline timer is cleared, children still open are cancelled ({@code
   * parent_cancelled}) and the scope detaches from its parent. Idempotent. Does not cancel this
   * scope itself.
   */
  @Override
  public void close() {
    List<Scope> kids;
    Clock.Timer t;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      t = timer;
      timer = null;
      kids = new ArrayList<>(children);
      children.clear();
      listeners.clear();
    }
    if (t != null) {
      t.cancel();
    }
    // An ancestor may be in the middle of being cancelled: its listeners run before its children
    // are reached, and one of them may close this scope first. The children cancelled here then
    // carry that cancel's root reason (a user's cancel stays `cancelled`), not a bare
    // parent_cancelled.
    Scope cancelling = cancelledAncestor();
    CancelReason root =
        cancelling != null ? cancelling.rootReason() : CancelReason.PARENT_CANCELLED;
    Scope expired = cancelling != null ? cancelling.expiredBy() : null;
    for (Scope k : kids) {
      k.cancel(CancelReason.PARENT_CANCELLED, root, expired);
    }
    if (parent != null) {
      parent.detach(this);
    }
  }

  /** The nearest ancestor already cancelled, or null. */
  private Scope cancelledAncestor() {
    for (Scope a = parent; a != null; a = a.parent) {
      if (a.rootReason() != null) {
        return a;
      }
    }
    return null;
  }

  private void detach(Scope child) {
    synchronized (lock) {
      children.remove(child);
    }
  }

  private CancelReason rootReasonOr(CancelReason fallback) {
    synchronized (lock) {
      return rootReason != null ? rootReason : fallback;
    }
  }

  @Override
  public String toString() {
    CancelReason r = reason();
    return "Scope[" + (r == null ? "active" : "cancelled:" + r.wireName()) + ", " + deadline + "]";
  }
}
