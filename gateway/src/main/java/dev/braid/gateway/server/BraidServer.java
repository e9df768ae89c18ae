package dev.braid.gateway.server;

import dev.braid.api.Braid;
import dev.braid.gateway.engine.WorkflowEngine;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.server.internal.Admission;
import dev.braid.gateway.server.internal.ApiService;
import dev.braid.gateway.server.internal.ConsoleRuns;
import dev.braid.gateway.server.internal.Durability;
import dev.braid.gateway.server.internal.InFlight;
import dev.braid.gateway.server.internal.PayloadBudget;
import dev.braid.gateway.server.internal.RunRegistry;
import dev.braid.gateway.server.internal.ServerLimits;
import dev.braid.gateway.server.internal.StoreHealth;
import dev.braid.gateway.server.internal.TokenAuthInterceptor;
import dev.braid.gateway.store.RunStore;
import dev.braid.model.CancelReason;
import dev.braid.model.Clock;
import dev.braid.model.Durations;
import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public gRPC server of {@code braid serve}: the {@code braid.api.v1.Braid} service, {@code
 * grpc.health.v1.Health} and server reflection, behind bearer-token authentication, on the workers
 * of one {@link Braid} (kept warm between requests).
 *
 * <p>Work is bounded (see {@link ServerConfig}): beyond the limits requests wait in a bounded queue
 * and are then shed with {@code RESOURCE_EXHAUSTED}. {@link #shutdown()} is two-phase: stop
 * accepting, let in-flight work finish within the drain grace, cancel what is left with reason
 * {@code shutdown}, wait the cancel grace, then close. The {@link Braid} (and the sandbox) are not
 * closed by the server: their owner stops the workers after {@link #shutdown()} returns.
 *
 * <p>With a {@link RunStore} (docs/durability.md, "The server"), runs are kept in the store: a run
 * survives the death of the server, the server resumes every unfinished run of its store when it
 * starts, {@code GetRun}/{@code WatchRun} read runs from the store, and shutdown leaves the runs in
 * progress to resume rather than cancelling them for good. Retention prunes old finished runs.
 *
 * <p>Thread-safe.
 */
public final class BraidServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("braid.server");
  private static final Duration STORE_HEALTH_EVERY = Duration.ofSeconds(5);

  private final ServerConfig config;
  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  // null without a store; readiness ("" health) follows the store's reachability
  private final StoreHealth storeHealth;
  private final WorkflowEngine engine;
  private final ApiService api;
  private final RunRegistry registry;
  private final RunView runView;
  private final Admission.QueueBudget queue;
  private final Admission runs;
  private final Admission calls;
  private final Admission scripts;
  private final InFlight inFlight = new InFlight();
  private final ServerLimits limits;
  private final ExecutorService grpcExecutor;
  private final ExecutorService checkExecutor;
  // the registry's sweep, and `clock`
  private final ScheduledExecutorService timer;
  private final Clock clock;
  private final AtomicBoolean shuttingDown = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);
  // null without a store
  private final Durability durability;
  private final CompletableFuture<Void> resumed;
  private final AutoCloseable sharing;

  private BraidServer(
      ServerConfig config, Braid braid, Sandbox sandbox, String noSandbox, RunStore store)
      throws IOException {
    this.config = config;
    int cores = Runtime.getRuntime().availableProcessors();
    this.grpcExecutor = Executors.newFixedThreadPool(Math.max(4, 2 * cores), named("braid-api"));
    this.checkExecutor = Executors.newFixedThreadPool(2, named("braid-api-check"));
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, named("braid-api-timer"));
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
    // The RPCs' own deadlines and admission waits run on the server's timer thread, not the
    // Braid's: a request's deadline must answer the client before grpc's own timer resets the
    // stream, even while the Braid's timer thread is busy with the runs' and calls' deadlines
    // and the workers' restarts. Both read System.nanoTime; the engine and the calls keep the
    // Braid's clock (one clock per scope tree).
    this.clock = Clock.system(timer);
    this.engine = new WorkflowEngine(braid).secrets(config.secrets().hidingPaths());
    // one policy for every way in: the RPCs, workflows, and the nested calls functions make
    ExposurePolicy exposure =
        config.exposure() != null ? config.exposure() : ExposurePolicy.of(braid.config());
    braid.nestedCallPolicy(exposure::refusal);
    this.limits =
        new ServerLimits(
            config.maxMessageBytes(),
            config.scriptCeilings(),
            new PayloadBudget(config.maxInflightBytes()));
    this.durability =
        store == null
            ? null
            : new Durability(
                store, limits, timer, Executors.newFixedThreadPool(4, named("braid-api-store")));
    this.registry =
        new RunRegistry(
            config.runEventWindow(),
            config.runEventBytes(),
            config.maxFinishedRuns(),
            config.finishedRunBytes(),
            config.finishedRunTtl(),
            limits);
    this.queue = new Admission.QueueBudget(config.maxQueued());
    this.runs =
        new Admission(
            "run", "--max-runs", config.maxConcurrentRuns(), queue, config.queueTimeout(), clock);
    this.calls =
        new Admission(
            "call",
            "--max-calls",
            config.maxConcurrentCalls(),
            queue,
            config.queueTimeout(),
            clock);
    this.scripts =
        new Admission(
            "script",
            "--max-scripts",
            config.maxConcurrentScripts(),
            queue,
            config.queueTimeout(),
            clock);
    this.api =
        new ApiService(
            new ApiService.Parts(
                braid,
                engine,
                config.workflowsDir(),
                config.secrets(),
                config.catalogTimeout(),
                registry,
                runs,
                calls,
                scripts,
                sandbox,
                noSandbox,
                inFlight,
                checkExecutor,
                grpcExecutor,
                clock,
                config.maxWatchers(),
                exposure,
                limits,
                durability,
                timer));
    this.runView = new ConsoleRuns(registry, durability, grpcExecutor);
    long sweep = Math.min(config.finishedRunTtl().toMillis(), 30_000);
    timer.scheduleWithFixedDelay(registry::evict, sweep, sweep, TimeUnit.MILLISECONDS);

    NettyServerBuilder b =
        NettyServerBuilder.forAddress(config.listen(), credentials(config))
            .executor(grpcExecutor)
            .maxInboundMessageSize(config.maxMessageBytes())
            // outbound messages are kept within the same limit by the handlers (ServerLimits)
            .maxInboundMetadataSize(64 << 10)
            // a peer that vanished without closing its connection is noticed, and its calls
            // cancelled, within keepAliveTime + keepAliveTimeout
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true);
    TokenAuthInterceptor auth =
        config.authDisabled()
            ? null
            : new TokenAuthInterceptor(config.tokens(), config.tokenScopes());
    b.addService(secured(api, auth));
    b.addService(
        config.healthWithoutToken()
            ? health.getHealthService().bindService()
            : secured(health.getHealthService(), auth));
    b.addService(secured(ProtoReflectionServiceV1.newInstance(), auth));
    // runs created from now on are this server's own: only older ones are resumed
    Instant listening = Instant.now();
    try {
      this.server = b.build().start();
    } catch (IOException | RuntimeException e) {
      engine.close();
      if (durability != null) {
        durability.close();
      }
      timer.shutdownNow();
      checkExecutor.shutdownNow();
      grpcExecutor.shutdownNow();
      throw e;
    }
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    health.setStatus("braid.api.v1.Braid", ServingStatus.SERVING);
    this.storeHealth =
        store == null
            ? null
            // a lookup of a run id no run has: one indexed read, nothing written
            : new StoreHealth(() -> store.get("braid-health-probe"), health, STORE_HEALTH_EVERY)
                .start(STORE_HEALTH_EVERY);
    if (durability != null) {
      durability.retain(config.retentionAge(), config.retentionKeep(), config.retentionEvery());
    }
    if (store != null && store.lease().isPresent()) {
      // several gateways on the store: runs released by others are taken as they come, and the
      // runs of an earlier life under this gateway id were released when it joined
      this.sharing = api.share(store.lease().get(), config.cancelGrace());
      this.resumed = CompletableFuture.completedFuture(null);
    } else {
      this.sharing = null;
      this.resumed = api.resumeAll(listening);
    }
    // schedules start once the runs left to resume are back (a slot is taken once across
    // gateways: it is advanced in the transaction that creates its run)
    resumed.whenComplete((ok, e) -> api.startSchedules());
  }

  /**
   * Starts listening.
   *
   * @param braid the workers; started by the caller with every path and preload the server needs
   *     (see {@link WorkflowFolder#configure})
   * @throws IOException if the address cannot be bound or the TLS files cannot be read
   */
  public static BraidServer start(ServerConfig config, Braid braid) throws IOException {
    return new BraidServer(config, braid, null, "it was started without a sandbox", null);
  }

  /**
   * Starts listening, with {@code ExecuteScript} running scripts in {@code sandbox}.
   *
   * @param sandbox the sandbox, or null: ExecuteScript then answers {@code FAILED_PRECONDITION}
   *     with {@code noSandbox} as the reason (e.g. why the sandbox could not be created); not
   *     closed by the server
   */
  public static BraidServer start(
      ServerConfig config, Braid braid, Sandbox sandbox, String noSandbox) throws IOException {
    return new BraidServer(config, braid, sandbox, noSandbox, null);
  }

  /**
   * Starts listening, with runs kept in {@code store}, and resumes the store's unfinished runs in
   * the background ({@link #resumed()}).
   *
   * @param store the store, or null to keep runs in memory only; not closed by the server: close it
   *     after {@link #shutdown()} returns
   */
  public static BraidServer start(
      ServerConfig config, Braid braid, Sandbox sandbox, String noSandbox, RunStore store)
      throws IOException {
    return new BraidServer(config, braid, sandbox, noSandbox, store);
  }

  /**
   * Completes when every unfinished run of the store has been resumed or given up on (at once
   * without a store).
   */
  public CompletableFuture<Void> resumed() {
    return resumed;
  }

  private static ServerCredentials credentials(ServerConfig c) throws IOException {
    if (!c.tls()) {
      return InsecureServerCredentials.create();
    }
    return TlsServerCredentials.create(c.tlsCert().toFile(), c.tlsKey().toFile());
  }

  private static ServerServiceDefinition secured(
      BindableService service, TokenAuthInterceptor auth) {
    return auth == null
        ? service.bindService()
        : ServerInterceptors.intercept(service.bindService(), auth);
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** The address actually bound (with the real port when the config asked for port 0). */
  /** The server's runs, read-only but for cancel, as the web console shows them. */
  public RunView runView() {
    return runView;
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.getListenSockets().get(0);
  }

  public int port() {
    return address().getPort();
  }

  public ServerConfig config() {
    return config;
  }

  /** A snapshot of the server's load, for tests and monitoring. */
  public ServerStats stats() {
    return new ServerStats(
        runs.running(),
        runs.peak(),
        calls.running(),
        calls.peak(),
        queue.used(),
        queue.peak(),
        runs.shed() + calls.shed() + scripts.shed(),
        inFlight.size(),
        registry.size(),
        registry.finishedBytes(),
        api.watchers(),
        limits.budget().used(),
        limits.budget().peak());
  }

  /**
   * Two-phase shutdown; blocks until done. Health turns {@code NOT_SERVING} and new calls are
   * refused ({@code UNAVAILABLE}); requests still waiting for a slot are refused too. Runs kept in
   * a store are left to resume: nothing more is written for them, they are stopped, and their
   * streams end {@code UNAVAILABLE}. In-flight runs and calls get {@link ServerConfig#drainGrace()}
   * to finish; what is left is cancelled with reason {@code shutdown} and gets {@link
   * ServerConfig#cancelGrace()} to wind down; then every stream still open is closed. Idempotent: a
   * second caller waits for the first.
   */
  public void shutdown() {
    if (!shuttingDown.compareAndSet(false, true)) {
      awaitTermination();
      return;
    }
    try {
      log.info(
          "shutting down: refusing new requests, {} in flight (drain grace {})",
          inFlight.size(),
          Durations.format(config.drainGrace()));
      health.enterTerminalState();
      if (storeHealth != null) {
        storeHealth.close();
      }
      api.stopSchedules();
      server.shutdown();
      runs.close();
      calls.close();
      scripts.close();
      if (sharing != null) {
        try {
          sharing.close();
        } catch (Exception e) {
          log.warn("stopping the lease loop: {}", e.toString());
        }
      }
      if (durability != null) {
        // not drained: they are kept in the store and the next server resumes them
        durability.detachAll(config.cancelGrace());
      }
      if (!inFlight.awaitEmpty(config.drainGrace())) {
        log.warn(
            "{} runs and calls still in flight after the drain grace: cancelling them (shutdown)",
            inFlight.size());
        inFlight.cancelAll(CancelReason.SHUTDOWN);
        if (!inFlight.awaitEmpty(config.cancelGrace())) {
          log.warn("{} runs and calls did not wind down within the cancel grace", inFlight.size());
        }
      }
      // the outcomes are sent; give the streams a moment to flush before closing them
      if (!server.awaitTermination(1, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    } finally {
      engine.close();
      if (durability != null) {
        durability.close();
      }
      timer.shutdownNow();
      checkExecutor.shutdownNow();
      grpcExecutor.shutdownNow();
      log.info("server stopped");
      terminated.countDown();
    }
  }

  /** Blocks until {@link #shutdown()} has finished. */
  public void awaitTermination() {
    try {
      terminated.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits at most {@code max} for {@link #shutdown()} to finish; true if it has. */
  public boolean awaitTermination(Duration max) throws InterruptedException {
    return terminated.await(max.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** {@link #shutdown()}. */
  @Override
  public void close() {
    shutdown();
  }
}
