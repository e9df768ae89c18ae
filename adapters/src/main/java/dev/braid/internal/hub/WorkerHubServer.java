package dev.braid.internal.hub;

import dev.braid.proto.worker.v1.Hello;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's {@code WorkerHub}: a gRPC server on a Unix socket in a private (0700) temp
 * directory. Workers started by the gateway dial in and say {@code Hello} with the worker id and
 * one-time token they were given; a stream with an unknown id or a wrong token is refused with
 * {@code UNAUTHENTICATED} and never sees a call.
 */
public final class WorkerHubServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerHubServer.class);

  /** Someone waiting for a worker to connect. */
  private record Expected(String token, Consumer<WorkerConnection> onConnected) {}

  private final Path dir;
  private final Path socket;
  private final Server server;
  private final EventLoopGroup group;
  private final ExecutorService executor;
  private final ConcurrentHashMap<String, Expected> expected = new ConcurrentHashMap<>();

  private WorkerHubServer(Path dir, int maxMessageBytes) throws IOException {
    this.dir = dir;
    this.socket = dir.resolve("hub.sock");
    this.group = new EpollEventLoopGroup(1, daemonFactory("braid-hub-io"));
    this.executor = Executors.newCachedThreadPool(daemonFactory("braid-hub"));
    this.server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .executor(executor)
            .maxInboundMessageSize(maxMessageBytes)
            .addService(new HubService(executor, this::admitLocal))
            .build()
            .start();
  }

  /** Starts a hub on a fresh private socket. */
  public static WorkerHubServer start(int maxMessageBytes) {
    try {
      Path dir =
          Files.createTempDirectory(
              "braid-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      return new WorkerHubServer(dir, maxMessageBytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the worker hub: " + e.getMessage(), e);
    }
  }

  public Path socketPath() {
    return socket;
  }

  /**
   * Announces a worker about to start. When it connects with this id and token, {@code onConnected}
   * receives its connection (on a gRPC thread). The token is one-time.
   */
  public void expect(String workerId, String token, Consumer<WorkerConnection> onConnected) {
    expected.put(workerId, new Expected(token, onConnected));
  }

  public void forget(String workerId) {
    expected.remove(workerId);
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    executor.shutdownNow();
    try {
      Files.deleteIfExists(socket);
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      log.debug("could not delete {}", dir, e);
    }
  }

  private static ThreadFactory daemonFactory(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static boolean tokenMatches(String expectedToken, String given) {
    // constant time, so a wrong token reveals nothing about the right one
    return MessageDigest.isEqual(
        expectedToken.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  /** Admits the workers this gateway started: a known worker id with its one-time token. */
  private HubService.Admission admitLocal(Hello hello) {
    String id = hello.getWorkerId();
    Expected e = expected.get(id);
    if (e == null || !tokenMatches(e.token(), hello.getToken()) || !hello.getPool().isEmpty()) {
      log.warn("refused a worker connection: unknown worker id or wrong token ({})", id);
      return HubService.Admission.refuse(
          Status.UNAUTHENTICATED.withDescription("unknown worker or wrong token"));
    }
    if (!expected.remove(id, e)) {
      return HubService.Admission.refuse(
          Status.UNAUTHENTICATED.withDescription("unknown worker or wrong token"));
    }
    return HubService.Admission.accept(hello, e.onConnected());
  }
}
