package dev.braid.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.StoreException;
import dev.braid.gateway.workflow.WorkflowLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How {@code braid signal} reaches a run while another braid process holds its SQLite store: the
 * holder ({@code braid run}, {@code braid resume}) listens on a Unix socket next to the file
 * ({@code braid.db.sock}, mode 0600) and passes each signal to {@link RunStore#signal} — journaled
 * first, then handed to the live run. A SQLite file takes one holder at a time, so the socket names
 * the one process that may write it.
 *
 * <p>One request per connection: a JSON line {@code {"run", "name", "payload"}}, answered by {@code
 * {"ok": true}} or {@code {"error": "..."}}. Requests are bounded in size and time.
 */
final class SignalSocket implements AutoCloseable {
  private static final ObjectMapper JSON = WorkflowLimits.inputMapper();

  /** A signal's payload is bounded like a run's input; the rest of a request is small. */
  static final int MAX_REQUEST = WorkflowLimits.MAX_INPUT_CHARS * 4 + 4096;

  /** How long one exchange may take, on either side. */
  static final Duration EXCHANGE = Duration.ofSeconds(10);

  /** Unix socket paths are limited to about 108 bytes; longer ones get no socket. */
  static final int MAX_PATH = 100;

  private static final int MAX_CONNECTIONS = 8;

  private final ServerSocketChannel server;
  private final Path path;
  private final RunStore store;
  private final Semaphore connections = new Semaphore(MAX_CONNECTIONS);
  private volatile boolean closed;

  private SignalSocket(ServerSocketChannel server, Path path, RunStore store) {
    this.server = server;
    this.path = path;
    this.store = store;
  }

  /** The socket of the SQLite store at {@code location}, or null (memory, a URL, too long). */
  static Path pathFor(String location) {
    String l = location.trim().toLowerCase(Locale.ROOT);
    if (l.equals("memory") || l.contains("://")) {
      return null;
    }
    Path p = Path.of(location.trim() + ".sock").toAbsolutePath();
    return p.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH ? null : p;
  }

  /**
   * Listens at {@code socket} for signals to {@code store}, which this process holds (so a socket
   * file already there is a dead holder's, and is replaced). Null when it cannot listen: signals
   * then reach runs only through the store, when they are resumed.
   */
  static SignalSocket listen(Path socket, RunStore store) {
    if (socket == null) {
      return null;
    }
    try {
      Files.deleteIfExists(socket);
      ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socket));
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
      SignalSocket s = new SignalSocket(server, socket, store);
      Thread t = new Thread(s::accept, "braid-signal-socket");
      t.setDaemon(true);
      t.start();
      return s;
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  private void accept() {
    while (!closed) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (!connections.tryAcquire()) {
        closeQuietly(ch);
        continue;
      }
      Thread t =
          new Thread(
              () -> {
                try {
                  serve(ch);
                } finally {
                  connections.release();
                }
              },
              "braid-signal");
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(SocketChannel ch) {
    // a peer that sends nothing is cut off: the exchange is bounded in time
    CompletableFuture<Void> done = new CompletableFuture<>();
    done.orTimeout(EXCHANGE.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((v, t) -> closeQuietly(ch));
    try {
      JsonNode req = JSON.readTree(readLine(ch));
      ObjectNode reply = JSON.createObjectNode();
      try {
        String run = req.path("run").asText("");
        String name = req.path("name").asText("");
        store.signal(run, name, req.has("payload") ? req.get("payload") : JSON.nullNode());
        reply.put("ok", true);
      } catch (StoreException e) {
        reply.put("error", e.getMessage());
      }
      write(ch, reply);
    } catch (IOException | RuntimeException e) {
      // a broken or hostile request: the connection is closed without an answer
    } finally {
      done.complete(null);
    }
  }

  /**
   * Sends a signal to the holder listening at {@code socket}. Returns null when it was journaled,
   * else the holder's error.
   *
   * @throws IOException when no holder listens there (no socket, a dead holder's socket)
   */
  static String send(Path socket, String run, String name, JsonNode payload) throws IOException {
    if (socket == null || !Files.exists(socket)) {
      throw new IOException("no socket");
    }
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    CompletableFuture<String> exchange =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                ObjectNode req = JSON.createObjectNode();
                req.put("run", run);
                req.put("name", name);
                req.set("payload", payload);
                write(ch, req);
                JsonNode reply = JSON.readTree(readLine(ch));
                return reply.path("ok").asBoolean(false)
                    ? null
                    : reply.path("error").asText("the holder gave no answer");
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    try {
      return exchange.get(EXCHANGE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof java.io.UncheckedIOException u
          ? u.getCause()
          : new IOException(e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("the holder did not answer within " + EXCHANGE.toSeconds() + "s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } finally {
      closeQuietly(ch);
    }
  }

  private static String readLine(SocketChannel ch) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ByteBuffer b = ByteBuffer.allocate(8192);
    while (true) {
      b.clear();
      int n = ch.read(b);
      if (n < 0) {
        break;
      }
      byte[] a = b.array();
      for (int i = 0; i < n; i++) {
        if (a[i] == '\n') {
          buf.write(a, 0, i);
          return buf.toString(StandardCharsets.UTF_8);
        }
      }
      buf.write(a, 0, n);
      if (buf.size() > MAX_REQUEST) {
        throw new IOException("request over " + MAX_REQUEST + " bytes");
      }
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  private static void write(SocketChannel ch, JsonNode msg) throws IOException {
    ByteBuffer b =
        ByteBuffer.wrap((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing is best effort
    }
  }

  /**
   * Stops listening, lets the requests already taken finish (at most {@link #EXCHANGE}: they need
   * the store, which closes next), and removes the socket file. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    try {
      if (connections.tryAcquire(MAX_CONNECTIONS, EXCHANGE.toMillis(), TimeUnit.MILLISECONDS)) {
        connections.release(MAX_CONNECTIONS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // a leftover socket is replaced by the next holder
    }
  }
}
