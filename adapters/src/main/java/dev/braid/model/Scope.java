package dev.braid.model;

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
 * <p>Thread-safe. Cancel listeners run exactly once, on the thread that cancels (or at once, on the
 * registering thread, if the scope is already cancelled); they must not block.
 *
 * <p>Closing a scope (structured concurrency) cancels every child that is still open.
 */
public final class Scope implements AutoCloseable {
  private final Scope parent;
  private final Deadline deadline;
  private final Object lock = new Object();
  // guarded by lock
  private CancelReason reason;
  private CancelReason rootReason;
  private boolean closed;
  private final Set<Scope> children = new LinkedHashSet<>();
  private final List<Consumer<CancelReason>> listeners = new ArrayList<>();

  private Scope(Scope parent, Deadline deadline) {
    this.parent = parent;
    this.deadline = Deadline.earliest(deadline, parent == null ? null : parent.deadline);
  }

  /** A new root scope with no deadline. */
  public static Scope root() {
    return new Scope(null, null);
  }

  /** A new root scope with the given deadline (null = none). */
  public static Scope root(Deadline deadline) {
    return new Scope(null, deadline);
  }

  /**
   * A child scope whose deadline is the earlier of {@code deadline} (null = none) and this scope's.
   * If this scope is already cancelled or closed, the child starts cancelled.
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
      c.cancel(CancelReason.PARENT_CANCELLED, rootReasonOr(inherited));
    }
    return c;
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
    return cancel(why, why);
  }

  private boolean cancel(CancelReason why, CancelReason root) {
    Objects.requireNonNull(why, "why");
    List<Consumer<CancelReason>> toRun;
    List<Scope> kids;
    synchronized (lock) {
      if (reason != null) {
        return false;
      }
      reason = why;
      rootReason = root;
      toRun = new ArrayList<>(listeners);
      listeners.clear();
      kids = new ArrayList<>(children);
      children.clear();
    }
    // This scope's own listeners first, then the children: a call must hear of its own cancel
    // before the outcomes of its cancelled children can reach it, or a worker would see a
    // child's failure instead of its own cancellation.
    for (Consumer<CancelReason> l : toRun) {
      l.accept(why);
    }
    for (Scope k : kids) {
      k.cancel(CancelReason.PARENT_CANCELLED, root);
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
   * Finishes this scope: children still open are cancelled ({@code parent_cancelled}) and the scope
   * detaches from its parent. Idempotent. Does not cancel this scope itself.
   */
  @Override
  public void close() {
    List<Scope> kids;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      kids = new ArrayList<>(children);
      children.clear();
      listeners.clear();
    }
    for (Scope k : kids) {
      k.cancel(CancelReason.PARENT_CANCELLED, CancelReason.PARENT_CANCELLED);
    }
    if (parent != null) {
      parent.detach(this);
    }
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
