package dev.braid.gateway.server.internal;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the health service's overall status (service {@code ""}, what a readiness probe asks) in
 * step with the store: {@code NOT_SERVING} while a probe query fails, {@code SERVING} again once it
 * answers. The API service's own status ({@code braid.api.v1.Braid}, what a liveness probe asks) is
 * left alone, so a store outage takes a gateway out of its Service without restarting it.
 *
 * <p>The probe runs on a thread of its own, every {@code every}: a query that hangs until the
 * connection pool's timeout never delays the server's timers. After the health service entered its
 * terminal state (shutdown) the statuses set here are ignored. Thread-safe; {@link #close} is
 * idempotent.
 */
public final class StoreHealth implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("braid.server");

  private final Runnable probe;
  private final HealthStatusManager health;
  private final ScheduledExecutorService thread;
  private boolean reachable = true; // guarded by this

  /**
   * @param probe a cheap read of the store; any exception means unreachable
   */
  public StoreHealth(Runnable probe, HealthStatusManager health) {
    this.probe = probe;
    this.health = health;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "braid-store-health");
              t.setDaemon(true);
              return t;
            });
  }

  /** Probes now and then every {@code every}, until closed. */
  public StoreHealth start(Duration every) {
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("every <= 0: " + every);
    }
    thread.scheduleWithFixedDelay(this::check, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Runs the probe once and sets the overall status from it; true if the store answered. */
  public boolean check() {
    boolean ok;
    String why = null;
    try {
      probe.run();
      ok = true;
    } catch (RuntimeException e) {
      ok = false;
      why = e.getMessage();
    }
    synchronized (this) {
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
    return ok;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
