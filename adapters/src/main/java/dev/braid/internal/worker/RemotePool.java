package dev.braid.internal.worker;

import dev.braid.api.BraidConfig;
import dev.braid.api.WorkerInfo;
import dev.braid.internal.hub.NestedHandler;
import dev.braid.internal.hub.WorkerChannel;
import dev.braid.internal.hub.WorkerConnection;
import dev.braid.model.Clock;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.proto.worker.v1.GatewayFrame;
import dev.braid.proto.worker.v1.Hello;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone workers of one language in one named pool, which dialed the gateway's TCP listener
 * from other machines: the remote {@link SlotSource}. Each connected worker is a lane of a {@link
 * SlotQueue}, so a call goes to the least-loaded connected worker of the pool and waits (bounded)
 * when all are busy, exactly as for local workers. The gateway cannot start remote workers: a call
 * that finds none connected waits up to {@link BraidConfig#startTimeout()} for one to (re)connect,
 * then fails {@code UNAVAILABLE NoWorker}.
 *
 * <p>Liveness is the local pool's: pings every {@link BraidConfig#pingInterval()}; a worker that
 * leaves them unanswered for {@link BraidConfig#livenessTimeout()} (a blocked loop, or a link that
 * keepalive has not yet declared dead) is dropped, and its calls fail {@code worker_lost}
 * (retryable). A worker that keeps {@link BraidConfig#abandonLimit()} abandoned calls is dropped
 * too; it reconnects with a clean slate.
 *
 * <p>Thread-safe: one lock guards the lanes list and the no-worker timer, never held while calling
 * into the queue or a connection.
 */
public final class RemotePool implements SlotSource, SlotProvider {
  private static final Logger log = LoggerFactory.getLogger(RemotePool.class);

  private final String language;
  private final String pool;
  private final BraidConfig config;
  private final Clock clock;
  private final NestedHandler nested;
  private final SlotQueue queue;
  private final Liveness liveness;
  private final long lateNanos;

  private final Object lock = new Object();
  // guarded by lock
  private final List<Remote> lanes = new ArrayList<>();
  private Clock.Timer noWorkerTimer = Clock.Timer.NONE;
  private Clock.Timer pinger = Clock.Timer.NONE;
  private boolean closed;
  private long connects;

  public RemotePool(
      String language, String pool, BraidConfig config, Clock clock, NestedHandler nested) {
    this.language = language;
    this.pool = pool;
    this.config = config;
    this.clock = clock;
    this.nested = nested;
    this.queue = new SlotQueue(this, config.queueCapacity());
    this.lateNanos = config.pingInterval().toNanos();
    this.liveness = new Liveness(config.pingInterval(), config.livenessTimeout(), clock.nanoTime());
    synchronized (lock) {
      pinger = clock.schedule(config.pingInterval(), this::pingAll);
    }
  }

  @Override
  public String language() {
    return language;
  }

  public String pool() {
    return pool;
  }

  @Override
  public void acquire(PoolClient client) {
    queue.acquire(client);
  }

  @Override
  public boolean withdraw(PoolClient client) {
    return queue.withdraw(client);
  }

  /** The Hello of a worker connected now (its catalog), or null when none is. */
  public Hello connectedHello() {
    synchronized (lock) {
      return lanes.isEmpty() ? null : lanes.get(lanes.size() - 1).conn.hello();
    }
  }

  /** How many times a worker of this pool connected (reconnects included). */
  public long connects() {
    synchronized (lock) {
      return connects;
    }
  }

  /** Calls wait and no lane has room: with no worker connected at all, start the no-worker wait. */
  @Override
  public void demand() {
    synchronized (lock) {
      if (closed || !lanes.isEmpty() || noWorkerTimer != Clock.Timer.NONE) {
        return;
      }
      noWorkerTimer = clock.schedule(config.startTimeout(), this::noWorkerCame);
    }
  }

  private void noWorkerCame() {
    synchronized (lock) {
      noWorkerTimer = Clock.Timer.NONE;
      if (!lanes.isEmpty()) {
        return;
      }
    }
    queue.rejectWaiting(
        Failure.of(
            FailureCode.UNAVAILABLE,
            "NoWorker",
            "no "
                + language
                + " worker of pool "
                + pool
                + " connected within "
                + config.startTimeout().toSeconds()
                + "s"));
  }

  /** A worker of this pool said Hello and was admitted (on a gRPC thread). */
  public void arrived(WorkerConnection conn) {
    Remote lane = new Remote(conn);
    Clock.Timer waiting;
    synchronized (lock) {
      if (closed) {
        conn.close("braid is shutting down");
        return;
      }
      lanes.add(lane);
      connects++;
      waiting = noWorkerTimer;
      noWorkerTimer = Clock.Timer.NONE;
    }
    waiting.cancel();
    conn.setNestedHandler(nested);
    conn.setPongListener(queue::drain);
    conn.send(GatewayFrame.newBuilder().setWelcome(WelcomeFrames.of(config)).build());
    conn.closed().thenAccept(why -> departed(lane, why));
    log.info(
        "{} connected to pool {} ({}, max in flight {})",
        conn.describe(),
        pool,
        conn.hello().getRuntimeVersion(),
        conn.hello().getMaxInFlight());
    // last: the Welcome leaves before any Invoke this hands out
    queue.open(lane, conn.hello().getMaxInFlight());
  }

  private void departed(Remote lane, String why) {
    queue.retire(lane);
    boolean stopping;
    synchronized (lock) {
      lanes.remove(lane);
      stopping = closed;
    }
    if (!stopping) {
      log.warn("pool {}: {}", pool, why);
    }
  }

  private void pingAll() {
    try {
      List<Remote> all;
      synchronized (lock) {
        if (closed) {
          return;
        }
        all = List.copyOf(lanes);
      }
      long now = clock.nanoTime();
      if (!liveness.tick(now)) {
        log.warn(
            "the gateway's pinger ran late: no {} worker of pool {} is blamed", language, pool);
      }
      for (Remote r : all) {
        if (liveness.hung(r.conn.nanosSinceLastPong(), now)) {
          r.conn.close(
              r.conn.describe()
                  + " was dropped: it has not answered pings for "
                  + config.livenessTimeout().toMillis()
                  + "ms (a cut link or a blocked event loop)");
        } else {
          r.conn.ping();
        }
      }
    } finally {
      synchronized (lock) {
        if (!closed) {
          pinger = clock.schedule(config.pingInterval(), this::pingAll);
        }
      }
    }
  }

  public List<WorkerInfo> snapshot() {
    List<Remote> all;
    synchronized (lock) {
      all = List.copyOf(lanes);
    }
    return all.stream()
        .map(
            r ->
                new WorkerInfo(
                    r.conn.workerId(),
                    language,
                    r.conn.hello().getPid(),
                    "REMOTE",
                    queue.inFlight(r),
                    r.abandoned))
        .toList();
  }

  /**
   * Two-phase stop: refuse new calls, ask each connected worker to shut down within the grace (it
   * finishes or cancels its calls, then reconnects to whatever gateway comes next), then drop the
   * streams left. Blocks for at most the grace plus 500 ms. Idempotent.
   */
  public void close() {
    List<Remote> all;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      all = List.copyOf(lanes);
      pinger.cancel();
      noWorkerTimer.cancel();
    }
    queue.close(Supervisor.shutdownFailure());
    long graceMs = config.defaultGrace().toMillis();
    for (Remote r : all) {
      r.conn.shutdown((int) graceMs, "shutdown");
    }
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMs + 500);
    for (Remote r : all) {
      long left = Math.max(0, until - System.nanoTime());
      try {
        r.conn.closed().get(left, TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        r.conn.close("braid is shutting down");
      }
    }
  }

  /** One connected remote worker: its lane in the queue. */
  private final class Remote extends SlotQueue.Lane {
    final WorkerConnection conn;
    volatile int abandoned;

    Remote(WorkerConnection conn) {
      this.conn = conn;
    }

    @Override
    public String workerId() {
      return conn.workerId();
    }

    @Override
    public WorkerChannel connection() {
      return conn;
    }

    @Override
    protected boolean late() {
      return conn.isUnresponsive(lateNanos);
    }

    @Override
    public void reportAbandoned() {
      int n;
      synchronized (lock) {
        n = ++abandoned;
      }
      if (n >= config.abandonLimit()) {
        conn.close(conn.describe() + " was dropped: " + n + " abandoned calls still run on it");
      }
    }

    @Override
    public void abandonedSettled() {
      synchronized (lock) {
        abandoned--;
      }
    }
  }
}
