package dev.braid.gateway.server.internal;

import dev.braid.gateway.store.GatewayLease;
import dev.braid.gateway.store.StoreException;
import dev.braid.model.CancelReason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This gateway's part in a store shared by several gateways (docs/durability.md, "Several
 * gateways"): one thread that renews the lease (one UPDATE every third of it), fences gateways
 * whose lease expired, takes released runs and resumes them by replay, and applies the cancels and
 * signals other gateways journaled for the runs it runs. It sleeps on {@code LISTEN} between rounds
 * — woken by a NOTIFY, else after a slow poll (a quarter of the lease, at least a second).
 *
 * <p>A gateway that loses its lease (fenced by another, or the store unreachable for longer than
 * the lease) stops every run it runs — their writes are refused by then anyway — and joins again
 * with a new epoch.
 */
final class GatewayMembership implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("braid.server");

  /** Runs taken per round; a full batch starts the next round at once. */
  static final int CLAIM_BATCH = 32;

  private final GatewayLease lease;
  private final RunResumer resumer;
  private final RunRegistry registry;
  private final Durability durability;
  private final Executor executor;
  private final Duration windDown;
  private final Thread thread;
  private volatile boolean stopped;

  GatewayMembership(
      GatewayLease lease,
      RunResumer resumer,
      RunRegistry registry,
      Durability durability,
      Executor executor,
      Duration windDown) {
    this.lease = lease;
    this.resumer = resumer;
    this.registry = registry;
    this.durability = durability;
    this.executor = executor;
    this.windDown = windDown;
    this.thread = new Thread(this::loop, "braid-lease");
    thread.setDaemon(true);
  }

  /** How long the loop sleeps when nothing wakes it. */
  static Duration poll(Duration lease) {
    Duration quarter = lease.dividedBy(4);
    return quarter.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : quarter;
  }

  void start() {
    log.info(
        "gateway {} shares the store (lease {} ms, epoch {})",
        lease.gatewayId(),
        lease.length().toMillis(),
        lease.epoch());
    thread.start();
  }

  private void loop() {
    long leaseNanos = lease.length().toNanos();
    long renewEvery = leaseNanos / 3;
    long pollNanos = poll(lease.length()).toNanos();
    long lastRenewed = System.nanoTime(); // joined just before
    long nextRenew = lastRenewed + renewEvery;
    boolean lost = false;
    while (!stopped) {
      boolean more = false;
      try {
        if (lost) {
          lease.rejoin();
          lost = false;
          lastRenewed = System.nanoTime();
          nextRenew = lastRenewed + renewEvery;
          log.info("gateway {} joined again (epoch {})", lease.gatewayId(), lease.epoch());
        }
        if (System.nanoTime() - nextRenew >= 0) {
          long asked = System.nanoTime();
          if (!lease.renew()) {
            lost = true;
            lose("its lease was taken (fenced by another gateway)");
            continue;
          }
          lastRenewed = asked;
          nextRenew = asked + renewEvery;
        }
        more = round();
      } catch (StoreException e) {
        log.warn("gateway {}: {}", lease.gatewayId(), e.getMessage());
        if (System.nanoTime() - lastRenewed > leaseNanos) {
          lost = true;
          try {
            lose("the store was unreachable for longer than the lease");
          } catch (InterruptedException ie) {
            return;
          }
          continue;
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("gateway {}: lease round failed", lease.gatewayId(), e);
      }
      if (more || stopped) {
        continue;
      }
      long wait = Math.min(pollNanos, Math.max(nextRenew - System.nanoTime(), 0));
      try {
        lease.awaitWakeUp(Duration.ofNanos(Math.max(wait, TimeUnit.MILLISECONDS.toNanos(1))));
      } catch (StoreException e) {
        log.warn("gateway {}: {}", lease.gatewayId(), e.getMessage());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One round: fence, take released runs, apply cancels and signals; true if more are waiting. */
  private boolean round() {
    List<String> fenced = lease.fenceExpired();
    if (!fenced.isEmpty()) {
      log.warn("fenced gateways whose lease expired: {} (their runs are released)", fenced);
    }
    List<String> taken = lease.claimReleased(CLAIM_BATCH);
    for (String id : taken) {
      try {
        executor.execute(() -> resumeOrHandBack(id));
      } catch (RejectedExecutionException e) {
        lease.handBack(id); // shutting down
      }
    }
    for (String id : lease.cancelsRequested()) {
      RunRecord r = registry.get(id);
      if (r != null && r.cancel(CancelReason.CANCELLED)) {
        log.debug("run {} cancelled through the store", id);
      }
    }
    lease.deliverSignals();
    return taken.size() == CLAIM_BATCH;
  }

  private void resumeOrHandBack(String id) {
    if (!resumer.resumeClaimed(id)) {
      try {
        lease.handBack(id);
      } catch (StoreException e) {
        log.warn("run {} stays with gateway {}: {}", id, lease.gatewayId(), e.getMessage());
      }
    }
  }

  private void lose(String why) throws InterruptedException {
    log.warn(
        "gateway {} lost its lease: {}; stopping its runs, other gateways resume them",
        lease.gatewayId(),
        why);
    for (RunRecord r : durability.detachAllFenced(windDown)) {
      registry.remove(r);
    }
  }

  /** Stops the loop (the store's close leaves the membership and releases the runs). */
  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
