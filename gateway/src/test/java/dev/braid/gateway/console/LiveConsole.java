package dev.braid.gateway.console;

import dev.braid.api.Braid;
import dev.braid.gateway.server.BraidServer;
import dev.braid.gateway.server.ServerConfig;
import dev.braid.gateway.server.TokenScope;
import dev.braid.gateway.server.WorkflowFolder;
import dev.braid.gateway.store.RunStore;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.StartWorkflowRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@link BraidServer} on real Python and Node workers (the server tests' fixture workflows)
 * and a console showing its runs; runs are started over gRPC as a client would. One per test class.
 */
final class LiveConsole implements AutoCloseable {
  static final Path FLOWS =
      Path.of("src/test/java/dev/braid/gateway/server/fixtures/flows").toAbsolutePath();
  static final String API_TOKEN = "api-token-0123456789";

  final Braid braid;
  final BraidServer server;
  final ConsoleServer console;
  final String base;
  private final ManagedChannel channel;

  private LiveConsole(Braid braid, BraidServer server, ConsoleServer console) {
    this.braid = braid;
    this.server = server;
    this.console = console;
    this.base = "http://127.0.0.1:" + console.address().getPort();
    Metadata m = new Metadata();
    m.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + API_TOKEN);
    this.channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port())
            .usePlaintext()
            .intercept(MetadataUtils.newAttachHeadersInterceptor(m))
            .build();
  }

  static LiveConsole start() throws IOException {
    return start(null);
  }

  /** A live console whose server keeps runs in {@code store} (null: memory only; not closed). */
  static LiveConsole start(RunStore store) throws IOException {
    ServerConfig config =
        ServerConfig.builder()
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .tokens(List.of(API_TOKEN))
            .tokenScopes(Map.of(API_TOKEN, EnumSet.allOf(TokenScope.class)))
            .workflowsDir(FLOWS)
            .drainGrace(Duration.ofSeconds(1))
            .cancelGrace(Duration.ofSeconds(2))
            .build();
    Braid braid =
        Braid.start(
            WorkflowFolder.scan(FLOWS)
                .configure(dev.braid.api.BraidConfig.builder())
                .exposedRootsOnly(true)
                .defaultGrace(Duration.ofMillis(500))
                .build());
    BraidServer server = null;
    try {
      braid.catalog("python").get(60, TimeUnit.SECONDS);
      braid.catalog("node").get(60, TimeUnit.SECONDS);
      server = BraidServer.start(config, braid, null, "this test server has no sandbox", store);
      ConsoleServer console = ConsoleServer.start(ConsoleHttpTest.config(), server.runView());
      return new LiveConsole(braid, server, console);
    } catch (Exception e) {
      if (server != null) {
        server.shutdown();
      }
      braid.close();
      throw new IOException("the live console did not start: " + e, e);
    }
  }

  /** Starts {@code workflow} with {@code inputJson}; returns the run id. */
  String startRun(String workflow, String inputJson) {
    return BraidGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .startWorkflow(
            StartWorkflowRequest.newBuilder().setName(workflow).setInputJson(inputJson).build())
        .getRunId();
  }

  /** The input of the {@code slow} workflow: it marks {@code tag}.started, then sleeps. */
  static String slowInput(Path folder, String tag, double seconds) {
    return "{\"folder\": \""
        + folder
        + "\", \"tag\": \""
        + tag
        + "\", \"seconds\": "
        + seconds
        + "}";
  }

  /** The text of {@code file} once it exists (bounded), or null. */
  static String awaitText(Path file, Duration max) throws InterruptedException, IOException {
    long end = System.nanoTime() + max.toNanos();
    while (!Files.exists(file)) {
      if (System.nanoTime() > end) {
        return null;
      }
      Thread.sleep(20);
    }
    return Files.readString(file);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      console.close();
    } finally {
      try {
        server.shutdown();
      } finally {
        braid.close();
      }
    }
  }
}
