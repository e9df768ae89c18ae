package dev.braid.internal.worker;

import dev.braid.api.BraidConfig;
import dev.braid.api.WorkerInfo;
import dev.braid.internal.hub.NestedHandler;
import dev.braid.internal.hub.WorkerConnection;
import dev.braid.internal.hub.WorkerHubServer;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.RemoteException;
import dev.braid.proto.worker.v1.GatewayFrame;
import dev.braid.proto.worker.v1.Hello;
import dev.braid.proto.worker.v1.Welcome;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker processes of one language and the calls waiting for them. Keeps {@code size} workers
 * alive: starts them on first demand, replaces crashed ones with backoff, recycles those that stop
 * answering pings or keep abandoning calls. Hands out slots (bounded in-flight per worker as
 * announced in its Hello), queues callers when none is free (bounded queue; overflow is shed with
 * {@code RESOURCE_EXHAUSTED}).
 *
 * <p>Thread-safe: one lock guards all state; callbacks into calls run outside it.
 */
public final class WorkerPool implements SlotProvider, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long STABLE_NANOS = TimeUnit.SECONDS.toNanos(10);

  private enum State {
    STARTING,
    READY,
    DRAINING,
    DEAD
  }

  private final WorkerLauncher launcher;
  private final BraidConfig config;
  private final WorkerHubServer hub;
  private final ScheduledExecutorService timer;
  private final int size;
  private final NestedHandler nested;

  private final Object lock = new Object();
  // guarded by lock
  private final List<Worker> workers = new ArrayList<>();
  private final LinkedHashSet<PoolClient> queue = new LinkedHashSet<>();
  private int starting;
  private int quickCrashes;
  private boolean closed;
  private long restarts;
  private long abandonedTotal;
  private int nextId;

  private final ScheduledFuture<?> pinger;
  private final Liveness liveness;
  private final CompletableFuture<Hello> firstHello = new CompletableFuture<>();

  public WorkerPool(
      WorkerLauncher launcher,
      BraidConfig config,
      WorkerHubServer hub,
      ScheduledExecutorService timer,
      int size,
      NestedHandler nested) {
    this.launcher = launcher;
    this.config = config;
    this.hub = hub;
    this.timer = timer;
    this.size = size;
    this.nested = nested;
    long ping = config.pingInterval().toMillis();
    this.liveness =
        new Liveness(config.pingInterval(), config.livenessTimeout(), System.nanoTime());
    this.pinger = timer.scheduleWithFixedDelay(this::pingAll, ping, ping, TimeUnit.MILLISECONDS);
  }

  public String language() {
    return launcher.language();
  }

  /**
   * The Hello of the first worker that connects (its catalog lists the preloaded modules'
   * functions); starts a worker if none runs. Fails if a worker cannot start.
   */
  public CompletableFuture<Hello> hello() {
    prestart();
    return firstHello;
  }

  /** Starts the workers now instead of on the first call. */
  public void prestart() {
    synchronized (lock) {
      ensureWorkersLocked();
    }
  }

  @Override
  public void acquire(PoolClient client) {
    Worker chosen = null;
    Failure rejection = null;
    synchronized (lock) {
      if (closed) {
        rejection = shutdownFailure();
      } else if ((chosen = pickLocked()) != null) {
        chosen.inFlight++;
      } else if (queue.size() >= config.queueCapacity()) {
        rejection =
            Failure.of(
                FailureCode.RESOURCE_EXHAUSTED,
                "Overloaded",
                queue.size()
                    + " calls already wait for a "
                    + language()
                    + " worker (queue capacity "
                    + config.queueCapacity()
                    + ")");
      } else {
        queue.add(client);
        ensureWorkersLocked();
      }
    }
    if (rejection != null) {
      client.reject(rejection);
    } else if (chosen != null) {
      client.dispatch(chosen);
    }
  }

  @Override
  public boolean withdraw(PoolClient client) {
    synchronized (lock) {
      return queue.remove(client);
    }
  }

  /** How many calls wait for a slot right now. */
  public int queued() {
    synchronized (lock) {
      return queue.size();
    }
  }

  public long restarts() {
    synchronized (lock) {
      return restarts;
    }
  }

  /** How many times the pinger found the gateway itself stalled (and blamed no worker). */
  public long gatewayStalls() {
    return liveness.stalls();
  }

  public long abandonedTotal() {
    synchronized (lock) {
      return abandonedTotal;
    }
  }

  public List<WorkerInfo> snapshot() {
    synchronized (lock) {
      return workers.stream()
          .map(
              w ->
                  new WorkerInfo(
                      w.id,
                      language(),
                      w.process == null ? -1 : w.process.pid(),
                      w.state.name(),
                      w.inFlight,
                      w.abandoned))
          .toList();
    }
  }

  private Worker pickLocked() {
    Worker best = null;
    // a worker whose loop has not answered a ping within one interval gets no new calls: they
    // wait for another worker, its pong, or its replacement instead of failing when it is recycled
    long late = config.pingInterval().toNanos();
    for (Worker w : workers) {
      if (w.state == State.READY
          && w.inFlight < w.maxInFlight
          && !w.conn.isUnresponsive(late)
          && (best == null || w.inFlight < best.inFlight)) {
        best = w;
      }
    }
    return best;
  }

  /** Pairs queued clients with free slots; the caller dispatches the pairs outside the lock. */
  private List<Runnable> drainQueueLocked() {
    List<Runnable> out = new ArrayList<>();
    while (!queue.isEmpty()) {
      Worker w = pickLocked();
      if (w == null) {
        break;
      }
      PoolClient c = queue.iterator().next();
      queue.remove(c);
      w.inFlight++;
      out.add(() -> c.dispatch(w));
    }
    return out;
  }

  private void ensureWorkersLocked() {
    if (closed) {
      return;
    }
    long live = workers.stream().filter(w -> w.state != State.DEAD).count();
    while (live + starting < size) {
      starting++;
      long delay = quickCrashes == 0 ? 0 : Math.min(5000, 100L << Math.min(quickCrashes, 6));
      timer.schedule(this::startWorker, delay, TimeUnit.MILLISECONDS);
      live++;
    }
  }

  private void startWorker() {
    Worker w;
    synchronized (lock) {
      starting--;
      if (closed) {
        return;
      }
      w = new Worker(language() + "-" + (++nextId));
      workers.add(w);
    }
    String token = newToken();
    hub.expect(w.id, token, conn -> onConnected(w, conn));
    try {
      WorkerProcess p =
          WorkerProcess.start(
              w.id,
              launcher.command(),
              launcher.environment(w.id, token, hub.socketPath().toString()),
              config.workingDirectory());
      synchronized (lock) {
        w.process = p;
      }
      log.debug("started {} worker {} (pid {})", language(), w.id, p.pid());
      p.onExit().thenRun(() -> onExit(w));
      w.startTimer =
          timer.schedule(
              () -> startTimedOut(w), config.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException | RuntimeException e) {
      hub.forget(w.id);
      String why =
          "cannot start the "
              + language()
              + " worker ("
              + String.join(" ", launcher.command())
              + "): "
              + e.getMessage();
      log.error(why);
      List<PoolClient> failed;
      synchronized (lock) {
        workers.remove(w);
        w.state = State.DEAD;
        quickCrashes++;
        failed = takeQueueLocked();
      }
      Failure f = Failure.of(FailureCode.UNAVAILABLE, "WorkerStartFailed", why);
      firstHello.completeExceptionally(new RemoteException(f));
      failed.forEach(c -> c.reject(f));
    }
  }

  private void onConnected(Worker w, WorkerConnection conn) {
    List<Runnable> dispatches;
    synchronized (lock) {
      if (w.state != State.STARTING || closed) {
        conn.close("worker not expected");
        return;
      }
      w.conn = conn;
      conn.setNestedHandler(nested);
      conn.setPongListener(this::drainAfterPong);
      w.state = State.READY;
      w.maxInFlight = Math.max(1, conn.hello().getMaxInFlight());
      dispatches = drainQueueLocked();
    }
    if (w.startTimer != null) {
      w.startTimer.cancel(false);
    }
    log.debug(
        "{} worker {} connected: {}, max in flight {}",
        language(),
        w.id,
        conn.hello().getRuntimeVersion(),
        w.maxInFlight);
    conn.send(
        GatewayFrame.newBuilder()
            .setWelcome(
                Welcome.newBuilder()
                    .setMaxPayloadBytes(config.maxPayloadBytes())
                    .setPingIntervalMs((int) config.pingInterval().toMillis())
                    .setGraceMs((int) config.defaultGrace().toMillis()))
            .build());
    conn.closed().thenAccept(why -> onConnectionClosed(w));
    firstHello.complete(conn.hello());
    dispatches.forEach(Runnable::run);
  }

  private void onConnectionClosed(Worker w) {
    // A worker without its stream can do nothing useful; make sure the process goes too.
    WorkerProcess p;
    synchronized (lock) {
      p = w.process;
      if (w.state == State.READY) {
        w.state = State.DRAINING;
      }
    }
    if (p != null && p.isAlive() && !p.awaitExit(closed ? config.defaultGrace().toMillis() : 200)) {
      p.killTree();
    }
  }

  private void onExit(Worker w) {
    WorkerConnection conn;
    boolean wasConnected;
    List<PoolClient> failed = List.of();
    String how = w.process.exitDescription();
    synchronized (lock) {
      workers.remove(w);
      conn = w.conn;
      wasConnected = conn != null;
      w.state = State.DEAD;
      if (closed) {
        return;
      }
      restarts++;
      boolean quick = System.nanoTime() - w.startedNanos < STABLE_NANOS;
      quickCrashes = quick ? quickCrashes + 1 : 0;
      if (!wasConnected) {
        // it could not even say Hello: waiting callers would only wait for the same failure
        failed = takeQueueLocked();
      }
      if (wasConnected || !queue.isEmpty()) {
        ensureWorkersLocked();
      }
    }
    if (w.startTimer != null) {
      w.startTimer.cancel(false);
    }
    hub.forget(w.id); // a worker that never connected must not leave its token behind
    String who = language() + " worker " + w.id + " (pid " + w.process.pid() + ")";
    String why =
        w.recycleReason != null
            ? who + " was recycled: " + w.recycleReason
            : who + " exited with " + how;
    if (wasConnected) {
      log.warn("{}", why);
      conn.close(why);
    } else {
      String stderr = w.process.recentStderr();
      String msg =
          who + " failed to start (" + how + ")" + (stderr.isBlank() ? "" : ":\n" + stderr);
      log.error("{}", msg);
      Failure f = Failure.of(FailureCode.UNAVAILABLE, "WorkerStartFailed", msg);
      firstHello.completeExceptionally(new RemoteException(f));
      failed.forEach(c -> c.reject(f));
    }
  }

  /** A late worker answered again: hand it the calls that waited meanwhile. */
  private void drainAfterPong() {
    List<Runnable> dispatches;
    synchronized (lock) {
      if (queue.isEmpty()) {
        return;
      }
      dispatches = drainQueueLocked();
    }
    dispatches.forEach(Runnable::run);
  }

  private void startTimedOut(Worker w) {
    recycle(w, "it did not connect within " + config.startTimeout().toSeconds() + "s");
  }

  /** Kills a worker that misbehaves; its calls fail UNAVAILABLE and a replacement starts. */
  private void recycle(Worker w, String why) {
    WorkerProcess p;
    synchronized (lock) {
      if (w.state == State.DEAD || w.recycleReason != null) {
        return;
      }
      w.recycleReason = why;
      w.state = State.DRAINING;
      p = w.process;
    }
    log.warn("recycling {} worker {}: {}", language(), w.id, why);
    if (p != null) {
      p.killTree();
    }
  }

  private void pingAll() {
    List<Worker> ready;
    synchronized (lock) {
      ready = workers.stream().filter(w -> w.state == State.READY).toList();
    }
    long now = System.nanoTime();
    // a late pinger means the gateway itself stalled (GC pause, overload): the workers' silence
    // is then no evidence, and the window restarts instead of recycling them
    if (!liveness.tick(now)) {
      log.warn(
          "the gateway's pinger ran {} ms late (a GC pause or an overloaded machine): no {}"
              + " worker is blamed, the liveness window restarts",
          TimeUnit.NANOSECONDS.toMillis(liveness.lastStallNanos()),
          language());
    }
    for (Worker w : ready) {
      if (liveness.hung(w.conn.nanosSinceLastPong(), now)) {
        recycle(
            w,
            "it has not answered pings for "
                + config.livenessTimeout().toMillis()
                + "ms (a blocking call or a CPU-bound loop holds its event loop)");
      } else {
        w.conn.ping();
      }
    }
  }

  private List<PoolClient> takeQueueLocked() {
    List<PoolClient> all = new ArrayList<>(queue);
    queue.clear();
    return all;
  }

  private Failure shutdownFailure() {
    return Failure.of(FailureCode.UNAVAILABLE, "Shutdown", "braid is shutting down");
  }

  private static String newToken() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /**
   * Two-phase stop: refuse new calls, ask each worker to shut down within the grace period, then
   * kill whatever is left (whole process trees).
   */
  @Override
  public void close() {
    List<PoolClient> failed;
    List<Worker> all;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      failed = takeQueueLocked();
      all = new ArrayList<>(workers);
    }
    pinger.cancel(false);
    failed.forEach(c -> c.reject(shutdownFailure()));
    Duration grace = config.defaultGrace();
    for (Worker w : all) {
      if (w.conn != null && !w.conn.isClosed()) {
        w.conn.shutdown((int) grace.toMillis(), "shutdown");
      }
    }
    long until = System.nanoTime() + grace.toNanos() + TimeUnit.MILLISECONDS.toNanos(500);
    for (Worker w : all) {
      WorkerProcess p = w.process;
      if (p == null) {
        continue;
      }
      long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()));
      if (!p.awaitExit(left)) {
        log.warn("{} worker {} did not stop within grace; killing it", language(), w.id);
      }
      p.killTree();
      if (w.conn != null) {
        w.conn.close("braid is shutting down");
      }
    }
  }

  /** One worker process and its connection. Fields guarded by the pool's lock. */
  private final class Worker implements WorkerSlot {
    final String id;
    final long startedNanos = System.nanoTime();
    WorkerProcess process;
    WorkerConnection conn;
    State state = State.STARTING;
    int inFlight;
    int maxInFlight = 1;
    int abandoned;
    String recycleReason;
    volatile ScheduledFuture<?> startTimer;

    Worker(String id) {
      this.id = id;
    }

    @Override
    public String workerId() {
      return id;
    }

    @Override
    public WorkerConnection connection() {
      return conn;
    }

    @Override
    public void release() {
      List<Runnable> dispatches;
      synchronized (lock) {
        inFlight--;
        dispatches = state == State.READY ? drainQueueLocked() : List.of();
      }
      dispatches.forEach(Runnable::run);
    }

    @Override
    public void reportAbandoned() {
      boolean tooMany;
      synchronized (lock) {
        abandoned++;
        abandonedTotal++;
        tooMany = abandoned >= config.abandonLimit();
      }
      if (tooMany) {
        recycle(this, abandoned + " abandoned calls are still running on it");
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
