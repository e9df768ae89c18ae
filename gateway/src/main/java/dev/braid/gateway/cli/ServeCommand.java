package dev.braid.gateway.cli;

import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.api.FunctionRef;
import dev.braid.gateway.console.ConsoleConfig;
import dev.braid.gateway.console.ConsoleServer;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.sandbox.SandboxConfig;
import dev.braid.gateway.sandbox.SandboxUnavailableException;
import dev.braid.gateway.server.BraidServer;
import dev.braid.gateway.server.ExposurePolicy;
import dev.braid.gateway.server.ScriptCeilings;
import dev.braid.gateway.server.ServerConfig;
import dev.braid.gateway.server.TokenScope;
import dev.braid.gateway.server.Tokens;
import dev.braid.gateway.server.WorkflowFolder;
import dev.braid.gateway.store.RunStores;
import dev.braid.gateway.store.StoreException;
import dev.braid.model.Durations;
import dev.braid.model.Failures;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code braid serve}: the public gRPC API (docs/api.md) on warm local workers. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the public gRPC API (braid.api.v1.Braid, with health checking and server",
      "reflection): run and watch workflows, invoke functions, stream generators, run",
      "untrusted scripts in the sandbox.",
      "Every call needs 'authorization: Bearer <token>' metadata; tokens come from",
      "--token-file (one per line, optional scopes) and the environment variable BRAID_TOKENS.",
      "Only functions under --python-path, --node-path, --java-classpath, the --workflows",
      "folders and --preload are callable (not the current directory); --expose narrows them.",
      "Workers start once and stay warm between requests. SIGTERM or Ctrl-C drains:",
      "new calls are refused, in-flight work gets --drain to finish, then it is",
      "cancelled (reason shutdown), the workers are stopped and the server exits.",
      "Runs are kept in the store (--store; docs/durability.md): a run survives the",
      "server's death, serve resumes every unfinished run of its store when it starts,",
      "and shutdown leaves the runs in progress to resume instead of cancelling them.",
      "Finished runs are pruned after --retention-age or beyond --retention-keep.",
      "Several servers may share one PostgreSQL store (--gateway-id, --lease): each",
      "holds a lease, any answers for any run, and the runs of one that dies are",
      "resumed by the others (docs/durability.md, \"Several gateways\")."
    },
    footer = {
      "",
      "Examples:",
      "  BRAID_TOKENS=s3cret braid serve --workflows examples --python-path examples/python",
      "  braid serve --listen 0.0.0.0:7443 --token-file tokens.txt \\",
      "      --tls-cert server.crt --tls-key server.key --workflows flows/",
      "  grpcurl -plaintext -H 'authorization: Bearer s3cret' localhost:7070 list",
      "  braid serve --workflows flows/ --store postgresql://braid@db:5432/braid",
      "  braid serve --workflows flows/ --store postgresql://braid@db:5432/braid \\",
      "      --gateway-id \"$POD_NAME\" --lease 10s     # one of several gateways",
      "  braid serve --worker-listen 0.0.0.0:7071 --worker-tls-cert hub.crt \\",
      "      --worker-tls-key hub.key --worker-pool-token gpu=gpu.token ...",
      "",
      "The API, its limits and its status codes: docs/api.md."
    })
final class ServeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin SecretOptions secrets = new SecretOptions();

  @Option(
      names = "--listen",
      paramLabel = "ADDR",
      description = "HOST:PORT to listen on (default ${DEFAULT-VALUE}; port 0: any free port)")
  String listen = "127.0.0.1:7070";

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "accepted bearer tokens, one per line, each optionally followed by its scopes"
              + " (run,invoke,script,inline; a bare token: run,invoke,script)")
  Path tokenFile;

  @Option(
      names = "--expose",
      paramLabel = "FILE",
      description =
          "glob patterns of function references (one a line, # comments): a client may call"
              + " only functions under the roots that also match one")
  Path exposeFile;

  @Option(
      names = "--allow-http",
      paramLabel = "HOST",
      split = ",",
      description =
          "hosts a client's inline workflow may reach with http: steps (api.example.com,"
              + " *.example.com, 127.0.0.1:8080); without it inline workflows make no http"
              + " requests (the --workflows folder's always may)")
  List<String> allowHttp = List.of();

  @Option(
      names = "--no-auth",
      description = "accept calls without a token: for local development only")
  boolean noAuth;

  @Option(
      names = "--http",
      paramLabel = "HOST:PORT",
      description =
          "also serve the web console (docs/console.md) on this loopback address, e.g."
              + " 127.0.0.1:7080; log in with a token of --token-file that has the run scope")
  String http;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key (PKCS#8)")
  Path tlsKey;

  @Option(
      names = "--workflows",
      paramLabel = "DIR",
      description = "folder of workflows runnable by name (name = path without extension)")
  Path workflows;

  @Option(
      names = "--preload",
      paramLabel = "MODULE",
      description =
          "a module the workers import at start, e.g. python:pricing or node:quote.mjs"
              + " (its functions are listed and checked; repeatable)")
  List<String> preload = new ArrayList<>();

  @Option(
      names = "--warm",
      paramLabel = "LANGS",
      split = ",",
      description =
          "worker pools started at once and kept warm (default: python,node,java; or none)")
  List<String> warm = new ArrayList<>(List.of("python", "node", "java"));

  @Option(
      names = "--java-in-process",
      description =
          "run java: functions inside the server's JVM (faster calls, but a function that calls"
              + " System.exit stops the server); default: in a Java worker process")
  boolean javaInProcess;

  @Option(names = "--python-workers", paramLabel = "N", description = "Python worker processes")
  int pythonWorkers = 1;

  @Option(names = "--node-workers", paramLabel = "N", description = "Node worker processes")
  int nodeWorkers = 1;

  @Option(
      names = "--max-message-bytes",
      paramLabel = "N",
      description =
          "largest message received or sent; larger results are refused (default 4194304)")
  int maxMessageBytes = 4 << 20;

  @Option(names = "--max-runs", paramLabel = "N", description = "runs at once (default 64)")
  int maxRuns = 64;

  @Option(
      names = "--max-calls",
      paramLabel = "N",
      description = "Invoke/InvokeStream calls at once (default 256)")
  int maxCalls = 256;

  @Option(
      names = "--max-queued",
      paramLabel = "N",
      description = "requests waiting for a slot, beyond which they are shed (default 256)")
  int maxQueued = 256;

  @Option(
      names = "--queue-timeout",
      paramLabel = "D",
      description = "longest wait for a slot (default 10s)")
  String queueTimeout = "10s";

  @Option(
      names = "--max-watchers",
      paramLabel = "N",
      description = "WatchRun streams at once (default 1024)")
  int maxWatchers = 1024;

  @Option(
      names = "--max-finished-runs",
      paramLabel = "N",
      description = "finished runs kept for GetRun/WatchRun (default 1000)")
  int maxFinishedRuns = 1000;

  @Option(
      names = "--finished-run-ttl",
      paramLabel = "D",
      description = "how long a finished run is kept (default 1h)")
  String finishedRunTtl = "1h";

  /**
   * On a PostgreSQL store, joins the gateways sharing it; elsewhere refuses --gateway-id and
   * --lease, which need one. Returns the error to print, or null.
   */
  private String share(StoreHandle store, CommandLine cl) {
    boolean postgres = store != null && RunStores.isPostgres(storeOptions.location());
    if (!postgres) {
      if (gatewayId != null || !"10s".equals(lease)) {
        return "--gateway-id and --lease need a PostgreSQL store (--store postgresql://...):"
            + " several gateways share runs only there; a SQLite store is held by one gateway";
      }
      return null;
    }
    Duration length = WorkflowLoader.duration(cl, lease, "--lease");
    if (length.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new CommandLine.ParameterException(cl, "--lease is under 1s: " + lease);
    }
    String id = gatewayId != null ? gatewayId : defaultGatewayId();
    try {
      store.store().join(id, length);
      return null;
    } catch (StoreException | IllegalArgumentException e) {
      return "cannot join the gateways of the store: " + e.getMessage();
    }
  }

  private static String defaultGatewayId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "gateway";
    }
    byte[] b = new byte[4];
    new java.security.SecureRandom().nextBytes(b);
    String id = host + "-" + java.util.HexFormat.of().formatHex(b);
    return id.length() > 128 ? id.substring(id.length() - 128) : id;
  }

  @Option(
      names = "--drain",
      paramLabel = "D",
      description = "on shutdown, how long in-flight work may take to finish (default 10s)")
  String drain = "10s";

  @Option(
      names = "--gateway-id",
      paramLabel = "ID",
      description =
          "PostgreSQL store: this gateway's name among the gateways sharing the store"
              + " (default: host name + random suffix). With a stable one (a pod name) a"
              + " restarted gateway hands its runs over at once instead of after its lease;"
              + " never give two live gateways the same one")
  String gatewayId;

  @Option(
      names = "--lease",
      paramLabel = "D",
      description =
          "PostgreSQL store: how long this gateway's lease lasts unrenewed (default 10s, at"
              + " least 1s); renewed every third of it. A gateway silent for longer is fenced"
              + " and its runs resumed by the others within about lease + max(1s, lease/4)")
  String lease = "10s";

  @Option(
      names = "--cancel-grace",
      paramLabel = "D",
      description = "on shutdown, how long cancelled work may take to wind down (default 5s)")
  String cancelGrace = "5s";

  @Option(
      names = "--catalog-timeout",
      paramLabel = "D",
      description = "how long to wait for a worker's catalog (default 60s)")
  String catalogTimeout = "60s";

  @Option(
      names = "--max-scripts",
      paramLabel = "N",
      description = "ExecuteScript sandboxes at once (default 4)")
  int maxScripts = 4;

  @Option(
      names = "--max-script-timeout",
      paramLabel = "D",
      description = "the longest wall-clock timeout an ExecuteScript may ask for (default 60s)")
  String maxScriptTimeout = "60s";

  @Option(
      names = "--max-script-cpu",
      paramLabel = "D",
      description = "the most CPU time an ExecuteScript may ask for (default 30s)")
  String maxScriptCpu = "30s";

  @Option(
      names = "--max-script-memory",
      paramLabel = "MB",
      description = "the most memory (MiB) an ExecuteScript may ask for (default 1024)")
  int maxScriptMemory = 1024;

  @Option(
      names = "--max-script-output",
      paramLabel = "N",
      description = "the most output bytes an ExecuteScript may ask for (default 4194304)")
  long maxScriptOutput = 4L << 20;

  @Option(
      names = "--max-inflight-bytes",
      paramLabel = "N",
      description =
          "payload bytes held for requests in flight, all together, beyond which requests are"
              + " shed (default 268435456)")
  long maxInflightBytes = 256L << 20;

  @Option(
      names = "--sandbox-pool",
      paramLabel = "N",
      description = "idle warm sandboxes kept per script language (default 2; 0: none)")
  int sandboxPool = 2;

  @Option(
      names = "--unsafe-no-sandbox",
      description = "DEVELOPMENT ONLY: ExecuteScript runs scripts without bwrap, with no isolation")
  boolean unsafeNoSandbox;

  @Option(
      names = "--health-without-token",
      description = "let grpc.health.v1.Health answer without a token (for load balancer probes)")
  boolean healthWithoutToken;

  @Option(
      names = "--retention-age",
      paramLabel = "D",
      description = "finished runs older than this are pruned from the store (default 168h)")
  String retentionAge = "168h";

  @Option(
      names = "--retention-keep",
      paramLabel = "N",
      description = "only the newest N finished runs are kept in the store (default 10000)")
  int retentionKeep = 10_000;

  @CommandLine.Mixin WorkerOptions paths = new WorkerOptions();

  @CommandLine.Mixin StoreOptions storeOptions = new StoreOptions();

  @CommandLine.Mixin WorkerListenOptions workerListen = new WorkerListenOptions();

  @Override
  public Integer call() throws Exception {
    // the server's own lifecycle lines are worth seeing; worker and library noise stays at warn
    if (System.getProperty("org.slf4j.simpleLogger.log.braid.server") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.braid.server", "info");
    }
    CommandLine cl = spec.commandLine();
    PrintWriter err = cl.getErr();
    ServerConfig.Builder serverCfg = serverConfig(cl);
    ServerConfig config = build(cl, serverCfg);
    // checked before anything starts, so a bad --http leaves nothing running
    ConsoleConfig consoleConfig = http == null ? null : consoleConfig(cl, config);
    // a worker refuses (PayloadTooLarge) a value the server could not send in one message, so
    // no such value is ever shipped to the gateway and held there
    BraidConfig.Builder cfg =
        paths
            .config()
            .pythonWorkers(pythonWorkers)
            .nodeWorkers(nodeWorkers)
            .maxPayloadBytes(config.maxMessageBytes())
            .javaInProcess(javaInProcess)
            .workerListener(workerListen.listener(cl));
    WorkflowFolder folder = null;
    if (workflows != null) {
      try {
        folder = WorkflowFolder.scan(workflows);
      } catch (IOException e) {
        throw new CommandLine.ParameterException(cl, "--workflows: " + e.getMessage());
      }
      folder.configure(cfg);
      for (String p : folder.problems()) {
        err.println("warning: skipping " + p);
      }
    }
    for (String p : preload) {
      addPreload(cl, cfg, p);
    }
    // before anything is started, so a bad --expose file leaves nothing running.
    // serve is not the user's own machine: workers see only the roots, never the current folder
    BraidConfig workers = cfg.exposedRootsOnly(true).build();
    config = build(cl, serverCfg.exposure(exposure(cl, workers)));
    Sandbox sandbox = null;
    String noSandbox = null;
    try {
      sandbox =
          Sandbox.create(
              SandboxConfig.builder()
                  .poolSize(sandboxPool)
                  .unsafeNoSandbox(unsafeNoSandbox)
                  .build());
    } catch (SandboxUnavailableException | IllegalArgumentException e) {
      noSandbox = e.getMessage();
      err.println("warning: ExecuteScript is unavailable: " + noSandbox);
    }
    // opened before any worker starts: a store held by another gateway is refused at once
    StoreHandle store = null;
    if (!storeOptions.inMemory()) {
      store = StoreErrors.open(storeOptions, false, err);
      if (store == null) {
        if (sandbox != null) {
          sandbox.close();
        }
        return 2;
      }
    }
    String shareError = share(store, spec.commandLine());
    if (shareError != null) {
      err.println("error: " + shareError);
      if (store != null) {
        store.close();
      }
      if (sandbox != null) {
        sandbox.close();
      }
      return 2;
    }
    Braid braid;
    try {
      braid = Braid.start(workers);
    } catch (RuntimeException e) {
      // the worker listener: its port is taken, a token file is empty or too short
      if (store != null) {
        store.close();
      }
      if (sandbox != null) {
        sandbox.close();
      }
      err.println("error: " + e.getMessage());
      return 1;
    }
    BraidServer server;
    try {
      warmUp(braid, config.catalogTimeout(), err);
      server =
          BraidServer.start(
              config, braid, sandbox, noSandbox, store == null ? null : store.store());
    } catch (IOException | RuntimeException e) {
      braid.close();
      if (store != null) {
        store.close();
      }
      if (sandbox != null) {
        sandbox.close();
      }
      err.println("error: cannot start the server on " + listen + ": " + e.getMessage());
      return 1;
    }
    ConsoleServer console = null;
    if (consoleConfig != null) {
      try {
        console = ConsoleServer.start(consoleConfig, server.runView());
      } catch (IOException e) {
        server.shutdown();
        braid.close();
        if (store != null) {
          store.close();
        }
        if (sandbox != null) {
          sandbox.close();
        }
        err.println("error: " + e.getMessage());
        return 1;
      }
    }
    ConsoleServer consoles = console;
    StoreHandle stores = store;
    if (store != null) {
      // `braid signal` from another process reaches a SQLite store this server holds
      store.listenForSignals(storeOptions.location());
    }
    Sandbox sandboxes = sandbox;
    AtomicBoolean stopped = new AtomicBoolean();
    // SIGTERM and Ctrl-C: drain, then close the store (its writes made durable), stop the
    // sandboxes and the workers, in reverse order of start
    Runnable stop =
        () -> {
          if (stopped.compareAndSet(false, true)) {
            // the console first: it only reads the server, and nobody should act on a draining one
            if (consoles != null) {
              consoles.close();
            }
            server.shutdown();
            if (stores != null) {
              stores.close();
            }
            if (sandboxes != null) {
              sandboxes.close();
            }
            braid.close();
          }
        };
    Thread stopper = new Thread(stop, "braid-serve-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    err.println(
        "braid serve: listening on "
            + hostPort(server.address())
            + (config.tls() ? " (TLS)" : " (plaintext)")
            + (config.authDisabled()
                ? "; AUTHENTICATION DISABLED (--no-auth): any client may call"
                : "; " + config.tokens().size() + " token(s)")
            + (folder == null
                ? ""
                : "; workflows: " + folder.dir() + " (" + folder.names().size() + ")")
            + (store == null ? "; runs kept in memory only (--store memory)" : "; runs stored")
            + workerListenerLine(braid, workers)
            + (console == null ? "" : "; console on http://" + hostPort(console.address()) + "/"));
    err.flush();
    server.awaitTermination();
    // normally the shutdown hook got here first, and the JVM exits when it is done
    stop.run();
    return 0;
  }

  private ConsoleConfig consoleConfig(CommandLine cl, ServerConfig config) {
    if (config.authDisabled()) {
      throw new CommandLine.ParameterException(
          cl, "--http needs tokens to log in with: it cannot be combined with --no-auth");
    }
    try {
      return ConsoleConfig.parse(http, config.tokens(), config.tokenScopes());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
  }

  private static String workerListenerLine(Braid braid, BraidConfig workers) {
    var l = workers.workerListener();
    if (l == null) {
      return "";
    }
    return "; workers on "
        + l.host()
        + ":"
        + braid.workerListenPort()
        + (l.clientCa() != null ? " (mutual TLS)" : l.tls() ? " (TLS)" : " (plaintext)")
        + ", pools "
        + l.poolTokens().keySet().stream().sorted().toList();
  }

  private ExposurePolicy exposure(CommandLine cl, BraidConfig workers) {
    List<String> patterns = null;
    if (exposeFile != null) {
      try {
        patterns = ExposurePolicy.readPatterns(exposeFile);
      } catch (IOException e) {
        throw new CommandLine.ParameterException(
            cl, "--expose: cannot read " + exposeFile + ": " + FileErrors.why(e));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(cl, "--expose: " + e.getMessage());
      }
    }
    return ExposurePolicy.of(workers, preload, patterns).allowHttp(allowHttp);
  }

  private static ServerConfig build(CommandLine cl, ServerConfig.Builder b) {
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
  }

  private ServerConfig.Builder serverConfig(CommandLine cl) throws IOException {
    List<String> tokens = new ArrayList<>();
    Map<String, Set<TokenScope>> scopes = Map.of();
    if (tokenFile != null) {
      try {
        scopes = Tokens.scopedFromFile(tokenFile);
        tokens.addAll(scopes.keySet());
      } catch (IOException | IllegalArgumentException e) {
        throw new CommandLine.ParameterException(cl, "--token-file: " + e.getMessage());
      }
    }
    tokens.addAll(Tokens.parse(System.getenv(Tokens.ENV)));
    if (tokens.isEmpty() && !noAuth) {
      throw new CommandLine.ParameterException(
          cl,
          "no tokens: give --token-file FILE (one token a line) or set "
              + Tokens.ENV
              + "; --no-auth turns authentication off, for local development only");
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new CommandLine.ParameterException(cl, "--tls-cert and --tls-key go together");
    }
    for (Path p : new Path[] {tlsCert, tlsKey}) {
      if (p != null && !Files.isReadable(p)) {
        throw new CommandLine.ParameterException(cl, "cannot read " + p);
      }
    }
    try {
      return ServerConfig.builder()
          .listen(address(cl, listen))
          .tokens(noAuth ? List.of() : tokens)
          .tokenScopes(noAuth ? Map.of() : scopes)
          .authDisabled(noAuth)
          .healthWithoutToken(healthWithoutToken)
          .tls(tlsCert, tlsKey)
          .workflowsDir(workflows)
          .secrets(secrets.sources())
          .maxMessageBytes(maxMessageBytes)
          .maxConcurrentRuns(maxRuns)
          .maxConcurrentCalls(maxCalls)
          .maxConcurrentScripts(maxScripts)
          .maxQueued(maxQueued)
          .queueTimeout(WorkflowLoader.duration(cl, queueTimeout, "--queue-timeout"))
          .maxWatchers(maxWatchers)
          .maxFinishedRuns(maxFinishedRuns)
          .finishedRunTtl(WorkflowLoader.duration(cl, finishedRunTtl, "--finished-run-ttl"))
          .drainGrace(WorkflowLoader.duration(cl, drain, "--drain"))
          .cancelGrace(WorkflowLoader.duration(cl, cancelGrace, "--cancel-grace"))
          .catalogTimeout(WorkflowLoader.duration(cl, catalogTimeout, "--catalog-timeout"))
          .scriptCeilings(
              new ScriptCeilings(
                  WorkflowLoader.duration(cl, maxScriptTimeout, "--max-script-timeout"),
                  WorkflowLoader.duration(cl, maxScriptCpu, "--max-script-cpu"),
                  maxScriptMemory,
                  maxScriptOutput))
          .maxInflightBytes(maxInflightBytes)
          .retentionAge(WorkflowLoader.duration(cl, retentionAge, "--retention-age"))
          .retentionKeep(retentionKeep);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
  }

  static InetSocketAddress address(CommandLine cl, String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new CommandLine.ParameterException(
          cl, "--listen '" + text + "': write HOST:PORT, e.g. 127.0.0.1:7070 or 0.0.0.0:7070");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw new CommandLine.ParameterException(
          cl, "--listen '" + text + "': the port must be a number from 0 to 65535");
    }
    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
  }

  private static String hostPort(InetSocketAddress a) {
    String h = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
  }

  private static void addPreload(CommandLine cl, BraidConfig.Builder cfg, String module) {
    int colon = module.indexOf(':');
    String lang = colon < 0 ? "" : module.substring(0, colon);
    String name = colon < 0 ? "" : module.substring(colon + 1);
    if (!(lang.equals("python") || lang.equals("node")) || name.isBlank()) {
      throw new CommandLine.ParameterException(
          cl,
          "--preload '"
              + module
              + "': write python:MODULE (e.g. python:shop.users) or node:FILE (e.g."
              + " node:quote.mjs)");
    }
    if (lang.equals("python")) {
      // reuse the reference parser's rules for module names
      try {
        FunctionRef.parse("python:" + name + ":f");
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(
            cl, "--preload '" + module + "': not a Python module name");
      }
    }
    cfg.preload(lang, name);
  }

  /** Starts the warm pools and waits (bounded) for their catalogs, so first requests are fast. */
  private void warmUp(Braid braid, Duration wait, PrintWriter err) {
    List<String> langs = new ArrayList<>();
    for (String l : warm) {
      switch (l) {
        case "none" -> langs.clear();
        case "python", "node" -> langs.add(l);
        case "java" -> {
          if (!javaInProcess) {
            langs.add(l); // in-process Java functions need no warm-up
          }
        }
        default ->
            throw new CommandLine.ParameterException(
                spec.commandLine(), "--warm '" + l + "': expected python, node, java or none");
      }
    }
    List<CompletableFuture<?>> started = new ArrayList<>();
    for (String l : langs) {
      started.add(
          braid
              .catalog(l)
              .exceptionally(
                  e -> {
                    err.println(
                        "warning: the "
                            + l
                            + " worker did not start: "
                            + Failures.fromThrowable(e).headline());
                    return List.of();
                  }));
    }
    try {
      CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
          .get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      err.println("warning: workers still starting after " + Durations.format(wait));
    } catch (ExecutionException e) {
      // reported per language above
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
