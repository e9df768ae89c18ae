package dev.braid.internal.hub;

import dev.braid.api.WorkerListener;
import dev.braid.proto.worker.v1.Hello;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker hub's TCP listener for standalone workers on other machines ({@link WorkerListener}):
 * TLS (mandatory off loopback, mutual when a client CA is given), HTTP/2 keepalive so a cut link
 * drops the stream and fails its calls, and admission by pool token. An admitted worker's
 * connection goes to the {@link Arrivals} of its pool; it carries the id {@code POOL/NAME}, where
 * NAME is the worker's own id cleaned to a short safe string.
 */
public final class RemoteHub implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RemoteHub.class);
  private static final Set<String> LANGUAGES = Set.of("python", "node", "java");

  /** The most calls one remote worker may ask for at once; more is a typo or an attack. */
  static final int MAX_IN_FLIGHT_CAP = 65_536;

  /** A peer that has not said Hello this long after opening its stream is dropped. */
  static final Duration HELLO_TIMEOUT = Duration.ofSeconds(30);

  static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  static final int MAX_STREAMS_PER_CONNECTION = 4;

  /** Receives every admitted remote worker's connection, on a gRPC thread; must not block. */
  public interface Arrivals {
    void arrived(String pool, WorkerConnection conn);
  }

  private final Server server;
  private final ExecutorService executor;
  private final ScheduledExecutorService timer;
  private final PoolTokens tokens;
  private final Arrivals arrivals;
  private final AtomicInteger unnamed = new AtomicInteger();

  private RemoteHub(
      WorkerListener listener,
      PoolTokens tokens,
      Arrivals arrivals,
      int maxMessage,
      Duration helloTimeout)
      throws IOException {
    this.tokens = tokens;
    this.arrivals = arrivals;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "braid-remote-hub-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "braid-remote-hub-timer");
              t.setDaemon(true);
              return t;
            });
    long keepAliveMs = listener.keepAlive().toMillis();
    this.server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(listener.host(), listener.port()), credentials(listener))
            .executor(executor)
            .maxInboundMessageSize(maxMessage)
            // a cut link is noticed within keepAlive + keepAlive even while the stream is idle;
            // workers may ping as often as once a second (they ping on their own schedule too)
            .keepAliveTime(keepAliveMs, TimeUnit.MILLISECONDS)
            .keepAliveTimeout(keepAliveMs, TimeUnit.MILLISECONDS)
            .permitKeepAliveTime(Math.min(keepAliveMs, 1000), TimeUnit.MILLISECONDS)
            .permitKeepAliveWithoutCalls(true)
            // a worker needs one stream; a peer opening many on one connection is not a worker
            .maxConcurrentCallsPerConnection(MAX_STREAMS_PER_CONNECTION)
            // a TLS handshake that stalls does not hold a connection for long
            .handshakeTimeout(HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            // HTTP/2 rapid reset (CVE-2023-44487): bounded RST_STREAM frames per window
            .maxRstFramesPerWindow(100, 10)
            .addService(new HubService(executor, this::admit, timer, helloTimeout))
            .build()
            .start();
    log.info(
        "listening for remote workers on {}:{} ({}), pools {}",
        listener.host(),
        port(),
        listener.clientCa() != null ? "mutual TLS" : listener.tls() ? "TLS" : "plaintext, loopback",
        tokens.pools());
  }

  /**
   * Binds the listener.
   *
   * @throws UncheckedIOException when it cannot bind or read the certificates
   */
  public static RemoteHub start(
      WorkerListener listener, PoolTokens tokens, Arrivals arrivals, int maxMessageBytes) {
    return start(listener, tokens, arrivals, maxMessageBytes, HELLO_TIMEOUT);
  }

  /** As above, dropping a peer that has not said Hello within {@code helloTimeout} (tests). */
  static RemoteHub start(
      WorkerListener listener,
      PoolTokens tokens,
      Arrivals arrivals,
      int maxMessageBytes,
      Duration helloTimeout) {
    try {
      return new RemoteHub(listener, tokens, arrivals, maxMessageBytes, helloTimeout);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen for workers on "
              + listener.host()
              + ":"
              + listener.port()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static ServerCredentials credentials(WorkerListener l) throws IOException {
    if (!l.tls()) {
      return InsecureServerCredentials.create();
    }
    TlsServerCredentials.Builder b =
        TlsServerCredentials.newBuilder()
            .keyManager(l.certChain().toFile(), l.privateKey().toFile());
    if (l.clientCa() != null) {
      b.trustManager(l.clientCa().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    return b.build();
  }

  /** The bound port (the chosen one when the listener asked for port 0). */
  public int port() {
    return server.getPort();
  }

  private HubService.Admission admit(Hello hello) {
    String pool = hello.getPool();
    // the pool name is checked before it is used anywhere (a log line, a map key)
    boolean known = WorkerListener.POOL_NAME.matcher(pool).matches();
    if (!tokens.matches(known ? pool : "", hello.getToken())) {
      log.warn(
          "refused a remote worker: unknown pool or wrong token (pool {})",
          known ? pool : "<invalid name>");
      return HubService.Admission.refuse(
          Status.UNAUTHENTICATED.withDescription("unknown pool or wrong token"));
    }
    if (!LANGUAGES.contains(hello.getLanguage())) {
      return HubService.Admission.refuse(
          Status.INVALID_ARGUMENT.withDescription("unknown worker language"));
    }
    String name = cleanName(hello.getWorkerId());
    Hello admitted =
        hello.toBuilder()
            .setWorkerId(
                pool + "/" + (name.isEmpty() ? "worker-" + unnamed.incrementAndGet() : name))
            .setToken("")
            .setMaxInFlight(Math.min(Math.max(1, hello.getMaxInFlight()), MAX_IN_FLIGHT_CAP))
            .build();
    return HubService.Admission.accept(admitted, conn -> arrivals.arrived(pool, conn));
  }

  /** A worker's own name, kept to 64 characters of letters, digits, '.', '-' and '_'. */
  static String cleanName(String raw) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < raw.length() && b.length() < 64; i++) {
      char c = raw.charAt(i);
      if (c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_')) {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** Stops listening and drops every remote worker's stream (their calls fail worker_lost). */
  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
    timer.shutdownNow();
  }
}
