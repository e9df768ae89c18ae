package dev.braid.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.internal.call.CallRuntime;
import dev.braid.internal.call.NestedCallRouter;
import dev.braid.internal.hub.PoolTokens;
import dev.braid.internal.hub.RemoteHub;
import dev.braid.internal.hub.WorkerHubServer;
import dev.braid.internal.javaworker.InProcessJavaWorker;
import dev.braid.internal.javaworker.JavaResolver;
import dev.braid.internal.javaworker.source.SourceClassLoader;
import dev.braid.internal.json.JsonRule;
import dev.braid.internal.policy.CircuitBreakers;
import dev.braid.internal.worker.JavaLauncher;
import dev.braid.internal.worker.NodeLauncher;
import dev.braid.internal.worker.PythonLauncher;
import dev.braid.internal.worker.RemotePools;
import dev.braid.internal.worker.WorkerLauncher;
import dev.braid.internal.worker.WorkerPool;
import dev.braid.model.Clock;
import dev.braid.proto.worker.v1.FunctionInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The entry point: owns the worker hub, a worker pool per language (Python, Node), the worker of
 * in-process Java functions, and the timer. Start one per process with {@link #start(BraidConfig)},
 * get functions with {@link #function(String)}, and {@link #close()} it when done (it stops every
 * worker process it started). Thread-safe.
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
  private final ObjectMapper json = JsonRule.newMapper();
  private final ScheduledThreadPoolExecutor timer;
  // deadlines and call timers; the pools' own liveness timers stay on `timer`
  private final Clock clock;
  private final WorkerHubServer hub;
  private final Map<String, WorkerPool> pools = new LinkedHashMap<>();
  private final Map<String, CallRuntime> runtimes = new LinkedHashMap<>();
  private final InProcessJavaWorker javaWorker;
  private final SourceClassLoader javaLoader;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final NestedCallRouter router;
  // one breaker per function for every call made through this Braid (CallOptions.circuitBreaker)
  private final CircuitBreakers breakers = new CircuitBreakers(System::nanoTime);
  // standalone workers of named pools that dial in over TCP; null without a worker listener
  private final RemotePools remotePools;
  private final RemoteHub remoteHub;
  private final Map<String, CallRuntime> remoteRuntimes = new ConcurrentHashMap<>();

  private Braid(BraidConfig config, Clock clock) {
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
    this.clock = clock != null ? clock : Clock.system(timer);
    // room for the largest payload plus the frames around it
    this.hub = WorkerHubServer.start(config.maxPayloadBytes() + (1 << 20));
    this.router = new NestedCallRouter(this::startNested);
    WorkerListener listener = config.workerListener();
    if (listener == null) {
      this.remotePools = null;
      this.remoteHub = null;
    } else {
      PoolTokens tokens;
      try {
        tokens = PoolTokens.fromFiles(listener.poolTokens());
      } catch (RuntimeException e) {
        hub.close();
        timer.shutdownNow();
        throw e;
      }
      this.remotePools = new RemotePools(tokens.pools(), config, Clock.system(timer), router);
      try {
        this.remoteHub =
            RemoteHub.start(
                listener, tokens, remotePools::arrived, config.maxPayloadBytes() + (1 << 20));
      } catch (RuntimeException e) {
        hub.close();
        timer.shutdownNow();
        throw e;
      }
    }
    addPool(new PythonLauncher(config), config.pythonWorkers(), router);
    addPool(new NodeLauncher(config), config.nodeWorkers(), router);
    // .java sources on the classpath are compiled on first use, so a workflow folder can hold them
    this.javaLoader = new SourceClassLoader(config.javaClasspath(), Braid.class.getClassLoader());
    javaLoader.rootsOnly(config.exposedRootsOnly());
    this.javaWorker =
        new InProcessJavaWorker(
            json, javaLoader, this.clock, this::callNestedFromJava, config.maxPayloadBytes());
    if (config.javaInProcess()) {
      runtimes.put(
          "java",
          new CallRuntime(
              "java",
              javaWorker,
              this.clock,
              json,
              config.defaultGrace(),
              config.maxPayloadBytes()));
    } else {
      // one JVM worker is enough: it runs each call on its own thread
      addPool(new JavaLauncher(config), 1, router);
    }
  }

  private void addPool(WorkerLauncher launcher, int size, NestedCallRouter router) {
    WorkerPool pool = new WorkerPool(launcher, config, hub, timer, size, router);
    pools.put(launcher.language(), pool);
    runtimes.put(
        launcher.language(),
        new CallRuntime(
            launcher.language(),
            pool,
            clock,
            json,
            config.defaultGrace(),
            config.maxPayloadBytes()));
  }

  private NestedCallRouter.NestedStart startNested(
      String reference, byte[] args, byte[] kwargs, CallOptions options) {
    RemoteCall call = function(reference).callRaw(args, kwargs, options);
    return new NestedCallRouter.NestedStart(call, call::cancel);
  }

  private RemoteCall callNestedFromJava(
      String ref, List<?> args, Map<String, ?> kwargs, CallOptions options) {
    Optional<String> refused = router.policyRefusal(ref);
    if (refused.isPresent()) {
      throw new IllegalArgumentException(refused.get());
    }
    return function(ref).call(args, kwargs, options);
  }

  /**
   * Restricts the calls that functions make to other functions while they run (nested calls, from
   * every language): a reference {@code policy} refuses fails the nested call {@code
   * INVALID_ARGUMENT}, type {@code PermissionDenied}, with the policy's sentence, and nothing is
   * started. {@code braid serve} sets its exposure policy here; by default every reference may be
   * called (the local CLI's freedom). Thread-safe; applies to calls started afterwards.
   */
  public void nestedCallPolicy(NestedCallRouter.Policy policy) {
    router.policy(policy);
  }

  /** Starts the hub; workers start on first use (or with {@link #prestart(String...)}). */
  public static Braid start(BraidConfig config) {
    return new Braid(config, null);
  }

  /**
   * As {@link #start(BraidConfig)}, with every deadline and call timer on {@code clock} (e.g. a
   * {@code ManualClock} in tests, or a clock shared with a workflow engine). The worker processes'
   * own liveness timers keep the system clock.
   */
  public static Braid start(BraidConfig config, Clock clock) {
    return new Braid(config, Objects.requireNonNull(clock, "clock"));
  }

  /** The clock of this Braid's deadlines and call timers. */
  public Clock clock() {
    return clock;
  }

  public BraidConfig config() {
    return config;
  }

  /** Starts the worker processes of these languages (all, if none given) now. */
  public Braid prestart(String... languages) {
    if (languages.length == 0) {
      pools.values().forEach(WorkerPool::prestart);
    }
    for (String l : languages) {
      WorkerPool p = pools.get(l);
      if (p != null) {
        p.prestart();
      }
    }
    return this;
  }

  /**
   * A callable function.
   *
   * @param reference {@code python:pkg.module:func}, {@code node:file.mjs#export} or {@code
   *     java:pkg.Class#method}
   * @throws IllegalArgumentException for a malformed reference
   */
  public RemoteFunction function(String reference) {
    FunctionRef ref = FunctionRef.parse(reference);
    CallRuntime runtime = ref.remote() ? remoteRuntime(ref) : runtimes.get(ref.language());
    return new RemoteFunction(ref, runtime, breakers);
  }

  private CallRuntime remoteRuntime(FunctionRef ref) {
    if (remotePools == null) {
      throw new IllegalArgumentException(
          "'"
              + ref
              + "' names the worker pool '"
              + ref.pool()
              + "', but this gateway has no worker listener (braid serve --worker-listen)");
    }
    String key = ref.language() + "@" + ref.pool();
    CallRuntime r = remoteRuntimes.get(key);
    if (r != null) {
      return r;
    }
    // outside computeIfAbsent: the pool lookup throws for an unknown pool
    var pool = remotePools.pool(ref.language(), ref.pool());
    return remoteRuntimes.computeIfAbsent(
        key,
        k ->
            new CallRuntime(
                ref.language(),
                pool,
                clock,
                json,
                config.defaultGrace(),
                config.maxPayloadBytes()));
  }

  /**
   * The port the worker listener is bound to (the chosen one when it was configured with port 0).
   *
   * @throws IllegalStateException without a worker listener
   */
  public int workerListenPort() {
    if (remoteHub == null) {
      throw new IllegalStateException("no worker listener configured");
    }
    return remoteHub.port();
  }

  /**
   * The catalogs of the remote pools of {@code language} that have a worker connected right now,
   * references written with their pool ({@code python@gpu:shop.models:score}); empty without a
   * worker listener. Never waits: a pool with no worker connected is not listed.
   */
  public List<CatalogEntry> remoteCatalogs(String language) {
    if (remotePools == null) {
      return List.of();
    }
    List<CatalogEntry> all = new ArrayList<>();
    for (var p : remotePools.pools()) {
      var hello = p.language().equals(language) ? p.connectedHello() : null;
      if (hello != null) {
        all.addAll(entries(language + "@" + p.pool(), hello.getCatalogList()));
      }
    }
    return all;
  }

  /**
   * The catalog a worker of {@code language} announced (the functions of the preloaded modules or,
   * for Java, classes, see {@link BraidConfig.Builder#preload}); starts a worker if none runs. The
   * in-process Java worker answers at once; a preloaded class it cannot load fails the future with
   * an IllegalArgumentException that says why.
   */
  public CompletableFuture<List<CatalogEntry>> catalog(String language) {
    if (language.equals("java") && config.javaInProcess()) {
      try {
        List<String> classes = config.preload().getOrDefault("java", List.of());
        return CompletableFuture.completedFuture(entries(language, javaWorker.catalog(classes)));
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    WorkerPool p = pools.get(language);
    if (p == null) {
      throw new IllegalArgumentException("no worker pool for language " + language);
    }
    return p.hello().thenApply(h -> entries(language, h.getCatalogList()));
  }

  /**
   * The preloaded modules a worker of {@code language} could not load, each with the cause the
   * worker gave (e.g. {@code "SyntaxError: invalid syntax (/srv/flows/shop.py:3)"}), by module name
   * as preloaded; starts a worker if none runs. Empty for Java (a class that cannot be loaded fails
   * {@link #catalog} instead).
   */
  public CompletableFuture<Map<String, String>> moduleErrors(String language) {
    WorkerPool p = pools.get(language);
    if (p == null || language.equals("java")) {
      return CompletableFuture.completedFuture(Map.of());
    }
    return p.hello()
        .thenApply(
            h -> {
              Map<String, String> errors = new LinkedHashMap<>();
              h.getModuleErrorsList().forEach(m -> errors.put(m.getModule(), m.getMessage()));
              return errors;
            });
  }

  private static List<CatalogEntry> entries(String language, List<FunctionInfo> catalog) {
    return catalog.stream()
        .map(
            f ->
                new CatalogEntry(
                    language + ":" + f.getName(),
                    f.getKind().name().toLowerCase(Locale.ROOT),
                    f.getSignature(),
                    f.getDoc(),
                    f.getKeywordsKnown() ? f.getKeywordsList() : null))
        .toList();
  }

  /**
   * The kind of a Java function (async, sync, generator); throws for unknown ones. With Java worker
   * processes, the class is inspected without being initialized or instantiated, so that none of
   * its code runs in this JVM.
   */
  public String javaFunctionKind(String local) {
    return config.javaInProcess()
        ? javaWorker.kindOf(local)
        : JavaResolver.inspectKind(local, javaLoader, json);
  }

  /**
   * The class loader of {@code java:} functions: the configured classpath, where a class found only
   * as a {@code .java} source is compiled on first use (and cached across runs).
   */
  public ClassLoader javaClassLoader() {
    return javaLoader;
  }

  /**
   * The shared JSON mapper (for building arguments). Its writes follow Braid's JSON rule: NaN,
   * infinities, bytes, cycles and nesting past 512 levels are refused.
   */
  public ObjectMapper json() {
    return json;
  }

  /** A snapshot of the running worker processes, every language, remote workers included. */
  public List<WorkerInfo> workers() {
    List<WorkerInfo> all = new ArrayList<>();
    pools.values().forEach(p -> all.addAll(p.snapshot()));
    if (remotePools != null) {
      all.addAll(remotePools.snapshot());
    }
    return all;
  }

  /** A snapshot of the running worker processes of one language. */
  public List<WorkerInfo> workers(String language) {
    WorkerPool p = pools.get(language);
    return p == null ? List.of() : p.snapshot();
  }

  /** How many times a worker was replaced (crash, recycle). */
  public long workerRestarts() {
    return pools.values().stream().mapToLong(WorkerPool::restarts).sum();
  }

  /**
   * How many times a worker pool's pinger found the gateway itself stalled (a long GC pause, an
   * overloaded machine) and restarted its liveness window instead of recycling workers.
   */
  public long gatewayStalls() {
    return pools.values().stream().mapToLong(WorkerPool::gatewayStalls).sum();
  }

  /** How many calls were abandoned (did not settle within grace after a cancel). */
  public long abandonedCalls() {
    return pools.values().stream().mapToLong(WorkerPool::abandonedTotal).sum()
        + javaWorker.abandonedTotal();
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
    // in parallel, so the grace periods of the languages do not add up
    List<Thread> stoppers = new ArrayList<>();
    if (remotePools != null) {
      Thread t = new Thread(remotePools::close, "braid-stop-remote");
      t.start();
      stoppers.add(t);
    }
    for (WorkerPool p : pools.values()) {
      Thread t = new Thread(p::close, "braid-stop-" + p.language());
      t.start();
      stoppers.add(t);
    }
    javaWorker.close();
    for (Thread t : stoppers) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (remoteHub != null) {
      remoteHub.close();
    }
    hub.close();
    timer.shutdownNow();
    try {
      javaLoader.close();
    } catch (IOException e) {
      // nothing useful to do at shutdown
    }
  }
}
