package dev.braid.gateway.server;

import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.proto.api.v1.BraidGrpc;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A real {@link BraidServer} on loopback, on real Python and Node workers, with the fixture
 * workflows of {@code fixtures/flows}, and channels to it. One per test class: starting workers is
 * the slow part.
 */
final class TestServer implements AutoCloseable {
  static final Path FLOWS =
      Path.of("src/test/java/dev/braid/gateway/server/fixtures/flows").toAbsolutePath();
  static final String TOKEN = "test-token-" + Long.toHexString(System.nanoTime());

  final Braid braid;
  final BraidServer server;
  private final List<ManagedChannel> channels = new ArrayList<>();

  private TestServer(Braid braid, BraidServer server) {
    this.braid = braid;
    this.server = server;
  }

  /** A server with the test token and quick shutdown; {@code tweak} adjusts the config. */
  static TestServer start(UnaryOperator<ServerConfig.Builder> tweak) throws IOException {
    return start(FLOWS, tweak);
  }

  /** A server on the workflows of {@code flows}. */
  static TestServer start(Path flows, UnaryOperator<ServerConfig.Builder> tweak)
      throws IOException {
    return start(flows, tweak, null);
  }

  /** A server whose ExecuteScript runs in {@code sandbox} (null: none; not closed here). */
  static TestServer start(Path flows, UnaryOperator<ServerConfig.Builder> tweak, Sandbox sandbox)
      throws IOException {
    return start(flows, tweak, sandbox, b -> b);
  }

  /** A server whose Braid is adjusted by {@code braidTweak} too. */
  static TestServer start(
      Path flows,
      UnaryOperator<ServerConfig.Builder> tweak,
      Sandbox sandbox,
      UnaryOperator<BraidConfig.Builder> braidTweak)
      throws IOException {
    ServerConfig config =
        tweak
            .apply(
                ServerConfig.builder()
                    .listen(new InetSocketAddress("127.0.0.1", 0))
                    .tokens(List.of(TOKEN))
                    // every scope, inline included: these tests are about the RPCs, not scopes
                    .tokenScopes(Map.of(TOKEN, EnumSet.allOf(TokenScope.class)))
                    .workflowsDir(flows)
                    .drainGrace(Duration.ofSeconds(1))
                    .cancelGrace(Duration.ofSeconds(2)))
            .build();
    BraidConfig.Builder cfg = braidTweak.apply(workerConfig(flows));
    Braid braid = Braid.start(cfg.defaultGrace(Duration.ofMillis(500)).build());
    try {
      braid.catalog("python").get(60, TimeUnit.SECONDS);
      braid.catalog("node").get(60, TimeUnit.SECONDS);
      return new TestServer(
          braid, BraidServer.start(config, braid, sandbox, "this test server has no sandbox"));
    } catch (Exception e) {
      braid.close();
      throw new IOException("the test server did not start: " + e, e);
    }
  }

  /** The workers' config of a server on {@code flows}, as {@code braid serve} makes it. */
  static BraidConfig.Builder workerConfig(Path flows) throws IOException {
    return WorkflowFolder.scan(flows).configure(BraidConfig.builder()).exposedRootsOnly(true);
  }

  static TestServer start() throws IOException {
    return start(b -> b);
  }

  /** A channel sending {@code token} (null: none). Closed with the server. */
  ManagedChannel channel(String token) {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext();
    if (token != null) {
      b.intercept(bearer(token));
    }
    ManagedChannel c = b.build();
    synchronized (channels) {
      channels.add(c);
    }
    return c;
  }

  static ClientInterceptor bearer(String token) {
    Metadata m = new Metadata();
    m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return MetadataUtils.newAttachHeadersInterceptor(m);
  }

  BraidGrpc.BraidBlockingStub blocking() {
    return BraidGrpc.newBlockingStub(channel(TOKEN)).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  BraidGrpc.BraidStub async() {
    return BraidGrpc.newStub(channel(TOKEN));
  }

  /** Waits until {@code file} exists (bounded). */
  static boolean await(Path file, Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (!Files.exists(file)) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  /** The text of {@code file} once it exists (bounded), or null. */
  static String awaitText(Path file, Duration max) throws InterruptedException, IOException {
    return await(file, max) ? Files.readString(file) : null;
  }

  @Override
  public void close() {
    synchronized (channels) {
      channels.forEach(ManagedChannel::shutdownNow);
    }
    try {
      server.shutdown();
    } finally {
      braid.close();
    }
  }
}
