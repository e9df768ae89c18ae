package dev.braid.gateway.console;

import dev.braid.gateway.console.internal.ConsoleHandler;
import dev.braid.gateway.console.internal.RunsApi;
import dev.braid.gateway.console.internal.Sessions;
import dev.braid.gateway.console.internal.TokenCheck;
import dev.braid.gateway.server.RunView;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The web console of {@code braid serve --http HOST:PORT} (docs/console.md): a page and a small
 * JSON API, served by an embedded Jetty from assets in the jar, behind a token login.
 *
 * <p>Jetty rather than the JDK's {@code HttpServer}: it bounds header sizes and connections, speaks
 * HTTP/1.1 correctly under hostile input, and streams server-sent events without a thread a client.
 *
 * <p>Thread-safe. {@link #close()} is idempotent: it stops accepting, then ends open requests.
 */
public final class ConsoleServer implements AutoCloseable {
  // few people look at a console at once; a small pool keeps it from starving the gateway
  private static final int MAX_THREADS = 16;
  private static final int MAX_HEADER_BYTES = 8 * 1024;

  private final Server server;
  private final ServerConnector connector;

  private ConsoleServer(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  /**
   * Starts the console on {@code config}'s address.
   *
   * @throws IOException if the address cannot be bound
   */
  public static ConsoleServer start(ConsoleConfig config) throws IOException {
    return start(config, RunView.NONE);
  }

  /**
   * Starts the console on {@code config}'s address, showing {@code runs}.
   *
   * @throws IOException if the address cannot be bound
   */
  public static ConsoleServer start(ConsoleConfig config, RunView runs) throws IOException {
    QueuedThreadPool pool = new QueuedThreadPool(MAX_THREADS, 2);
    pool.setName("braid-console");
    pool.setDaemon(true);
    Server server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(MAX_HEADER_BYTES);
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(config.host());
    connector.setPort(config.port());
    server.addConnector(connector);
    Sessions sessions = new Sessions(Clock.systemUTC(), config.sessionTtl());
    server.setHandler(
        new ConsoleHandler(
            new TokenCheck(config.tokens(), config.tokenScopes()), sessions, new RunsApi(runs)));
    server.setStopTimeout(2_000);
    try {
      server.start();
    } catch (Exception e) {
      try {
        server.stop();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new IOException(
          "cannot start the console on " + config.host() + ":" + config.port() + ": " + e, e);
    }
    return new ConsoleServer(server, connector);
  }

  /** The bound address (the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("stopping the console: " + e.getMessage(), e);
    }
  }
}
