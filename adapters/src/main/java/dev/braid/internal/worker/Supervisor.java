package dev.braid.internal.worker;

import dev.braid.api.BraidConfig;
import dev.braid.api.WorkerInfo;
import dev.braid.internal.hub.NestedHandler;
import dev.braid.internal.hub.WorkerChannel;
import dev.braid.internal.hub.WorkerConnection;
import dev.braid.internal.hub.WorkerHubServer;
import dev.braid.model.Clock;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.RemoteException;
import dev.braid.proto.worker.v1.GatewayFrame;
import dev.braid.proto.worker.v1.Hello;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervision: keeps {@code size} worker processes of one language alive and feeds the connected
 * ones into a {@link SlotQueue}. Starts workers on demand, restarts crashed ones with exponential
 * backoff (100 ms doubling to 5 s while they crash within 10 s of starting), recycles workers that
 * do not connect in time, stop answering pings ({@link Liveness}) or keep abandoning calls, and
 * stops them in two phases. This is the local {@link SlotSource}.
 *
 * <p>Thread-safe: one lock guards the workers' life states; it may be held while calling into the
 * queue, never the other way round (the queue calls {@link #demand()} outside its own lock). Timers
 * run on the injected {@link Clock}.
 */
final class Supervisor implements SlotSource {
  private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long STABLE_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long MAX_BACKOFF_MS = 5000;

  enum State {
    STARTING,
    READY,
    DRAINING,
    DEAD
  }

  private final WorkerLauncher launcher;
  private final BraidConfig config;
  private final WorkerHubServer hub;
  private final Clock clock;
  private final int size;
  private final NestedHandler nested;
  private final SlotQueue queue;
  private final long lateNanos;

  private final Object lock = new Object();
  // guarded by lock
  private final List<Worker> workers = new ArrayList<>();
  private int starting;
  private int quickCrashes;
  private boolean closed;
  private long restarts;
  private long abandonedTotal;
  private int nextId;
  private Clock.Timer pinger;

  private final Liveness liveness;
  private final CompletableFuture<Hello> firstHello = new CompletableFuture<>();

  Supervisor(
      WorkerLauncher launcher,
      BraidConfig config,
      WorkerHubServer hub,
      Clock clock,
      int size,
      NestedHandler nested) {
    this.launcher = launcher;
    this.config = config;
    this.hub = hub;
    this.clock = clock;
    this.size = size;
    this.nested = nested;
    this.queue = new SlotQueue(this, config.queueCapacity());
    this.lateNanos = config.pingInterval().toNanos();
    this.liveness = new Liveness(config.pingInterval(), config.livenessTimeout(), clock.nanoTime());
    synchronized (lock) {
      pinger = clock.schedule(config.pingInterval(), this::pingAll);
    }
  }

  /** The queue this supervisor feeds. */
  SlotQueue queue() {
    return queue;
  }

  @Override
  public String language() {
    return launcher.language();
  }

  @Override
  public void demand() {
    synchronized (lock) {
      ensureWorkersLocked();
    }
  }

  /** The first worker's Hello; fails when a worker cannot start. Starts workers if none runs. */
  CompletableFuture<Hello> hello() {
    demand();
    return firstHello;
  }

  long restarts() {
    synchronized (lock) {
      return restarts;
    }
  }

  long gatewayStalls() {
    return liveness.stalls();
  }

  long abandonedTotal() {
    synchronized (lock) {
      return abandonedTotal;
    }
  }

  List<WorkerInfo> snapshot() {
    List<Worker> all;
    synchronized (lock) {
      all = List.copyOf(workers);
    }
    // in-flight counts belong to the queue: read them without holding this lock
    return all.stream()
        .map(
            w ->
                new WorkerInfo(
                    w.id,
                    language(),
                    w.process == null ? -1 : w.process.pid(),
                    w.state.name(),
                    queue.inFlight(w),
                    w.abandoned))
        .toList();
  }

  private void ensureWorkersLocked() {
    if (closed) {
      return;
    }
    long live = workers.stream().filter(w -> w.state != State.DEAD).count();
    while (live + starting < size) {
      starting++;
      long delay = quickCrashes == 0 ? 0 : backoffMillis(quickCrashes);
      clock.schedule(Duration.ofMillis(delay), this::startWorker);
      live++;
    }
  }

  /** The wait before a start after {@code quickCrashes} crashes in a row: 200 ms, 400 ms... 5 s. */
  static long backoffMillis(int quickCrashes) {
    return Math.min(MAX_BACKOFF_MS, 100L << Math.min(quickCrashes, 6));
  }

  private void startWorker() {
    Worker w;
    synchronized (lock) {
      starting--;
      if (closed) {
        return;
      }
      w = new Worker(language() + "-" + (++nextId), clock.nanoTime());
      workers.add(w);
    }
    // armed before the process exists, so that its exit or its Hello (which cancel it) cannot
    // come first and leave it armed
    w.startTimer = clock.schedule(config.startTimeout(), () -> startTimedOut(w));
    String token = newToken();
    hub.expect(w.id, token, conn -> onConnected(w, conn));
    try {
      WorkerProcess p =
          WorkerProcess.start(
              w.id,
              launcher.command(),
              launcher.environment(w.id, token, hub.socketPath().toString()),
              config.workingDirectory());
      boolean recycled;
      synchronized (lock) {
        w.process = p;
        recycled = w.recycleReason != null; // the start timeout ran out while it was starting
      }
      log.debug("started {} worker {} (pid {})", language(), w.id, p.pid());
      p.onExit().thenRun(() -> onExit(w));
      if (recycled) {
        p.killTree();
      }
    } catch (IOException | RuntimeException e) {
      w.startTimer.cancel();
      hub.forget(w.id);
      String why =
          "cannot start the "
              + language()
              + " worker ("
              + String.join(" ", launcher.command())
              + "): "
              + e.getMessage();
      log.error(why);
      synchronized (lock) {
        workers.remove(w);
        w.state = State.DEAD;
        quickCrashes++;
      }
      queue.retire(w);
      Failure f = Failure.of(FailureCode.UNAVAILABLE, "WorkerStartFailed", why);
      firstHello.completeExceptionally(new RemoteException(f));
      queue.rejectWaiting(f);
    }
  }

  private void onConnected(Worker w, WorkerConnection conn) {
    synchronized (lock) {
      if (w.conn != null || w.state != State.STARTING || closed) {
        conn.close("worker not expected");
        return;
      }
      w.conn = conn;
    }
    conn.setNestedHandler(nested);
    conn.setPongListener(queue::drain);
    w.startTimer.cancel();
    int maxInFlight = Math.max(1, conn.hello().getMaxInFlight());
    log.debug(
        "{} worker {} connected: {}, max in flight {}",
        language(),
        w.id,
        conn.hello().getRuntimeVersion(),
        maxInFlight);
    conn.send(GatewayFrame.newBuilder().setWelcome(WelcomeFrames.of(config)).build());
    conn.closed().thenAccept(why -> onConnectionClosed(w));
    firstHello.complete(conn.hello());
    // last: the Welcome leaves before any Invoke this hands out
    queue.open(w, maxInFlight);
    synchronized (lock) {
      // READY once it takes calls (unless it was recycled or lost meanwhile): what snapshots show
      // and what the pinger pings
      if (w.state == State.STARTING) {
        w.state = State.READY;
      }
    }
  }

  private void onConnectionClosed(Worker w) {
    // A worker without its stream can do nothing useful; make sure the process goes too.
    WorkerProcess p;
    boolean stopping;
    synchronized (lock) {
      p = w.process;
      stopping = closed;
      if (w.state == State.READY || w.state == State.STARTING) {
        w.state = State.DRAINING;
      }
    }
    queue.retire(w);
    if (p != null
        && p.isAlive()
        && !p.awaitExit(stopping ? config.defaultGrace().toMillis() : 200)) {
      p.killTree();
    }
  }

  private void onExit(Worker w) {
    WorkerConnection conn;
    boolean wasConnected;
    String how = w.process.exitDescription();
    synchronized (lock) {
      workers.remove(w);
      conn = w.conn;
      wasConnected = conn != null;
      w.state = State.DEAD;
      queue.retire(w);
      if (closed) {
        return;
      }
      restarts++;
      boolean quick = clock.nanoTime() - w.startedNanos < STABLE_NANOS;
      quickCrashes = quick ? quickCrashes + 1 : 0;
      // a worker that could not even say Hello: waiting callers would only wait for the same
      // failure, so they fail below and nothing restarts until the next call asks
      if (wasConnected) {
        ensureWorkersLocked();
      }
    }
    w.startTimer.cancel();
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
      queue.rejectWaiting(f);
    }
  }

  private void startTimedOut(Worker w) {
    synchronized (lock) {
      // the timer may fire just as the worker connects: only a worker that never dialed in is late
      if (w.conn != null) {
        return;
      }
    }
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
    queue.retire(w);
    log.warn("recycling {} worker {}: {}", language(), w.id, why);
    if (p != null) {
      p.killTree();
    }
  }

  private void pingAll() {
    try {
      pingOnce();
    } finally {
      // fixed delay, timed from the end of this run; rescheduled even if a ping threw, so one bad
      // connection cannot stop liveness for the whole pool
      synchronized (lock) {
        if (!closed) {
          pinger = clock.schedule(config.pingInterval(), this::pingAll);
        }
      }
    }
  }

  private void pingOnce() {
    List<Worker> ready;
    synchronized (lock) {
      if (closed) {
        return;
      }
      ready = workers.stream().filter(w -> w.state == State.READY).toList();
    }
    long now = clock.nanoTime();
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

  private static String newToken() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static Failure shutdownFailure() {
    return Failure.of(FailureCode.UNAVAILABLE, "Shutdown", "braid is shutting down");
  }

  /**
   * Two-phase stop: refuse new calls, ask each worker to shut down within the grace period, then
   * kill whatever is left (whole process trees). Blocks for at most the grace plus 500 ms.
   * Idempotent.
   */
  void close() {
    List<Worker> all;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      all = new ArrayList<>(workers);
      pinger.cancel();
    }
    queue.close(shutdownFailure());
    Duration grace = config.defaultGrace();
    for (Worker w : all) {
      if (w.conn != null && !w.conn.isClosed()) {
        w.conn.shutdown((int) grace.toMillis(), "shutdown");
      }
    }
    // a real deadline, not the injected clock: close waits for processes, whose exits no manual
    // clock can speed up
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

  /** One worker process, its connection, and its lane in the queue. */
  private final class Worker extends SlotQueue.Lane {
    final String id;
    final long startedNanos;
    // written under the supervisor's lock; volatile because the call path (connection(), late()),
    // exit handling and snapshots read them without it
    volatile WorkerProcess process;
    volatile WorkerConnection conn;
    volatile State state = State.STARTING;
    volatile int abandoned;
    volatile String recycleReason;
    volatile Clock.Timer startTimer = Clock.Timer.NONE;

    Worker(String id, long startedNanos) {
      this.id = id;
      this.startedNanos = startedNanos;
    }

    @Override
    public String workerId() {
      return id;
    }

    @Override
    public WorkerChannel connection() {
      return conn;
    }

    @Override
    protected boolean late() {
      // a worker whose loop has not answered a ping within one interval gets no new calls: they
      // wait for another worker, its pong, or its replacement instead of failing when it is
      // recycled
      return conn.isUnresponsive(lateNanos);
    }

    @Override
    public void reportAbandoned() {
      boolean tooMany;
      int n;
      synchronized (lock) {
        n = ++abandoned;
        abandonedTotal++;
        tooMany = abandoned >= config.abandonLimit();
      }
      if (tooMany) {
        recycle(this, n + " abandoned calls are still running on it");
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
