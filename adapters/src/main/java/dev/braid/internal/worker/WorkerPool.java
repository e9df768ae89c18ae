package dev.braid.internal.worker;

import dev.braid.api.BraidConfig;
import dev.braid.api.WorkerInfo;
import dev.braid.internal.hub.NestedHandler;
import dev.braid.internal.hub.WorkerHubServer;
import dev.braid.model.Clock;
import dev.braid.proto.worker.v1.Hello;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The worker processes of one language and the calls waiting for them: a facade over placement
 * ({@link SlotQueue}: which worker gets a call, the bounded queue, overload) and supervision
 * ({@link Supervisor}: starting, restarting, recycling and stopping the processes). The two meet
 * only through the {@link SlotSource} seam, where a pool of remote workers is meant to plug in
 * beside the local supervisor.
 *
 * <p>Thread-safe. Callbacks into calls run outside every lock.
 */
public final class WorkerPool implements SlotProvider, AutoCloseable {
  private final Supervisor supervisor;
  private final SlotQueue queue;

  public WorkerPool(
      WorkerLauncher launcher,
      BraidConfig config,
      WorkerHubServer hub,
      ScheduledExecutorService timer,
      int size,
      NestedHandler nested) {
    this(launcher, config, hub, Clock.system(timer), size, nested);
  }

  /** As above, with every timer (starts, backoff, pings) on {@code clock}. */
  public WorkerPool(
      WorkerLauncher launcher,
      BraidConfig config,
      WorkerHubServer hub,
      Clock clock,
      int size,
      NestedHandler nested) {
    this.supervisor = new Supervisor(launcher, config, hub, clock, size, nested);
    this.queue = supervisor.queue();
  }

  public String language() {
    return supervisor.language();
  }

  /**
   * The Hello of the first worker that connects (its catalog lists the preloaded modules'
   * functions); starts a worker if none runs. Fails if a worker cannot start.
   */
  public CompletableFuture<Hello> hello() {
    return supervisor.hello();
  }

  /** Starts the workers now instead of on the first call. */
  public void prestart() {
    supervisor.demand();
  }

  @Override
  public void acquire(PoolClient client) {
    queue.acquire(client);
  }

  @Override
  public boolean withdraw(PoolClient client) {
    return queue.withdraw(client);
  }

  /** How many calls wait for a slot right now. */
  public int queued() {
    return queue.waiting();
  }

  public long restarts() {
    return supervisor.restarts();
  }

  /** How many times the pinger found the gateway itself stalled (and blamed no worker). */
  public long gatewayStalls() {
    return supervisor.gatewayStalls();
  }

  public long abandonedTotal() {
    return supervisor.abandonedTotal();
  }

  public List<WorkerInfo> snapshot() {
    return supervisor.snapshot();
  }

  /**
   * Two-phase stop: refuse new calls, ask each worker to shut down within the grace period, then
   * kill whatever is left (whole process trees).
   */
  @Override
  public void close() {
    supervisor.close();
  }
}
