package dev.braid.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.internal.call.CallRuntime;
import dev.braid.internal.hub.WorkerHubServer;
import dev.braid.internal.worker.PythonLauncher;
import dev.braid.internal.worker.WorkerInfo;
import dev.braid.internal.worker.WorkerPool;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The entry point: owns the worker hub, the worker pools and the timer. Start one per process with
 * {@link #start(BraidConfig)}, get functions with {@link #function(String)}, and {@link #close()}
 * it when done (it stops every worker process it started). Thread-safe.
 *
 * <pre>{@code
 * try (Braid braid = Braid.start(BraidConfig.builder().build())) {
 *   JsonNode r = braid.function("python:shop.users:get_profile")
 *       .call(List.of(42), CallOptions.builder().timeout(Duration.ofSeconds(1)).build())
 *       .get();
 * }
 * }</pre>
 */
public final class Braid implements AutoCloseable {
  private final BraidConfig config;
  private final ObjectMapper json = new ObjectMapper();
  private final ScheduledThreadPoolExecutor timer;
  private final WorkerHubServer hub;
  private final WorkerPool python;
  private final CallRuntime pythonRuntime;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Braid(BraidConfig config) {
    this.config = config;
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "braid-timer");
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
    // room for the largest payload plus the frames around it
    this.hub = WorkerHubServer.start(config.maxPayloadBytes() + (1 << 20));
    this.python =
        new WorkerPool(new PythonLauncher(config), config, hub, timer, config.pythonWorkers());
    this.pythonRuntime =
        new CallRuntime(
            "python", python, timer, json, config.defaultGrace(), config.maxPayloadBytes());
  }

  /** Starts the hub; workers start on first use (or with {@link #prestart()}). */
  public static Braid start(BraidConfig config) {
    return new Braid(config);
  }

  public BraidConfig config() {
    return config;
  }

  /** Starts the worker processes now rather than on the first call. */
  public Braid prestart() {
    python.prestart();
    return this;
  }

  /**
   * A callable function.
   *
   * @param reference e.g. {@code python:shop.users:get_profile}
   * @throws IllegalArgumentException for a malformed reference or a language not available
   */
  public RemoteFunction function(String reference) {
    FunctionRef ref = FunctionRef.parse(reference);
    if (!ref.language().equals("python")) {
      throw new IllegalArgumentException(
          "language '" + ref.language() + "' is not available yet in this build (python is)");
    }
    return new RemoteFunction(ref, pythonRuntime);
  }

  /** The shared JSON mapper (for building arguments). */
  public ObjectMapper json() {
    return json;
  }

  /** A snapshot of the running workers. */
  public List<WorkerInfo> workers() {
    return python.snapshot();
  }

  /** How many times a worker was replaced (crash, recycle). */
  public long workerRestarts() {
    return python.restarts();
  }

  /** How many calls were abandoned (did not settle within grace after a cancel). */
  public long abandonedCalls() {
    return python.abandonedTotal();
  }

  /**
   * Stops everything: pending calls fail {@code UNAVAILABLE}, workers get a shutdown request and
   * the grace period, then their process trees are killed. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    python.close();
    hub.close();
    timer.shutdownNow();
  }
}
