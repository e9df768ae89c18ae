package dev.braid.gateway.server.internal;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the health service's overall status (service {@code ""}, what a readiness probe asks) in
 * step with the store: {@code NOT_SERVING} while a probe query fails or has not answered within the
 * timeout, {@code SERVING} again once one answers. The API service's own status ({@code
 * braid.api.v1.Braid}, what a liveness probe asks) is left alone, so a store outage takes a gateway
 * out of its Service without restarting it.
 *
 * <p>Probes run on a thread of their own, never the server's timers: a query to a database that
 * stopped answering (paused, partitioned) can hang as long as TCP lets it, and such a hang counts
 * as an outage once it is older than the timeout; no second probe starts while one hangs. After the
 * health service entered its terminal state (shutdown) the statuses set here are ignored.
 * Thread-safe; {@link #close} is idempotent.
 */
public final class StoreHealth implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("braid.server");

  private final Runnable probe;
  private final HealthStatusManager health;
  private final long timeoutNanos;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(daemon("braid-store-health"));
  private final ExecutorService probes =
      Executors.newSingleThreadExecutor(daemon("braid-store-probe"));
  private boolean reachable = true; // guarded by this
  private Future<?> running; // guarded by this
  private long startedAt; // guarded by this

  /**
   * @param probe a cheap read of the store; any exception means unreachable
   * @param timeout how long a probe may take before the store counts as unreachable
   */
  public StoreHealth(Runnable probe, HealthStatusManager health, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout <= 0: " + timeout);
    }
    this.probe = probe;
    this.health = health;
    this.timeoutNanos = timeout.toNanos();
  }

  /** Ticks now and then every {@code every}, until closed. */
  public StoreHealth start(Duration every) {
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("every <= 0: " + every);
    }
    ticker.scheduleWithFixedDelay(this::tick, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * One step: starts a probe on the probe thread, or, while the last one still runs, marks the
   * store unreachable once that probe is older than the timeout.
   */
  public synchronized void tick() {
    if (running != null && !running.isDone()) {
      if (System.nanoTime() - startedAt > timeoutNanos) {
        set(false, "no answer within " + Duration.ofNanos(timeoutNanos));
      }
      return;
    }
    startedAt = System.nanoTime();
    running = probes.submit(this::check);
  }

  /**
   * Runs the probe on the calling thread and sets the overall status from it; true if it answered.
   */
  public boolean check() {
    try {
      probe.run();
    } catch (RuntimeException e) {
      set(false, e.getMessage());
      return false;
    }
    set(true, null);
    return true;
  }

  private synchronized void set(boolean ok, String why) {
    if (ok != reachable) {
      // once per change, not per probe: an outage must not flood the log
      if (ok) {
        log.info("the store answers again: ready");
      } else {
        log.warn("the store does not answer, not ready until it does: {}", why);
      }
      reachable = ok;
    }
    health.setStatus(
        HealthStatusManager.SERVICE_NAME_ALL_SERVICES,
        ok ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    probes.shutdownNow();
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
