package dev.braid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The naive gRPC baseline for Node: a {@code @grpc/grpc-js} server ({@code
 * bench/node/grpc_echo_server.mjs}, generic service, identity (de)serializers) with one unary
 * method that echoes its bytes, one call per request, called by grpc-java over a Unix socket
 * exactly as {@link GrpcBaselineBench} calls the grpcio server: same method descriptor, channel,
 * sequential loop and concurrency levels.
 */
final class NodeGrpcBench {
  private static final Logger log = LoggerFactory.getLogger(NodeGrpcBench.class);

  private final BenchConfig cfg;
  private final byte[] payload;

  NodeGrpcBench(BenchConfig cfg, byte[] payload) {
    this.cfg = cfg;
    this.payload = payload;
  }

  @SuppressWarnings("deprecation") // EpollEventLoopGroup: what grpc-java's examples still use
  ObjectNode run(ObjectMapper json) throws Exception {
    Path sock = Files.createTempDirectory("braid-bench-node-grpc-").resolve("echo.sock");
    ObjectNode out = json.createObjectNode();
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    ManagedChannel channel = null;
    try (NodeHelper server = NodeHelper.start(cfg, "grpc_echo_server.mjs", sock.toString())) {
      out.put("server", server.banner());
      channel =
          NettyChannelBuilder.forAddress(new DomainSocketAddress(sock.toString()))
              .channelType(EpollDomainSocketChannel.class)
              .eventLoopGroup(group)
              .usePlaintext()
              // the only difference from GrpcBaselineBench: grpc-java's default authority for a
              // Unix socket is the socket path, which Node's HTTP/2 rejects (RST_STREAM
              // PROTOCOL_ERROR); grpcio accepts it
              .overrideAuthority("localhost")
              // responses complete futures on the I/O thread: no executor hop per call
              .directExecutor()
              .build();
      ManagedChannel ch = channel;
      log.info("node grpc: sequential unary calls to {}", server);
      long[] nanos =
          Harness.sequential(
              cfg.samples(3_000),
              cfg.samples(10_000),
              () ->
                  ClientCalls.blockingUnaryCall(
                      ch,
                      GrpcBaselineBench.ECHO,
                      CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                      payload));
      out.set("latency", Latency.of(nanos).toJson(json));
      ArrayNode tried = out.putArray("throughput_tried");
      Throughput best = null;
      // rounds, because another process on the machine can spoil one phase
      for (int round = 1; round <= cfg.rounds(); round++) {
        for (int window : GrpcBaselineBench.WINDOWS) {
          Throughput t =
              Harness.pipelined(
                  window,
                  cfg.phase(Duration.ofMillis(750)),
                  cfg.phase(Duration.ofSeconds(2)),
                  () -> call(ch));
          log.info("node grpc: window {}: {} calls/s", window, Math.round(t.perSecond()));
          tried.add(t.toJson(json).put("round", round));
          if (best == null || t.perSecond() > best.perSecond()) {
            best = t;
          }
        }
      }
      out.set("throughput", best.toJson(json));
    } finally {
      if (channel != null) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
      Files.deleteIfExists(sock);
      Files.deleteIfExists(sock.getParent());
    }
    out.put("payload_bytes", payload.length);
    return out;
  }

  private CompletableFuture<byte[]> call(ManagedChannel ch) {
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(
        ch.newCall(
            GrpcBaselineBench.ECHO, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS)),
        payload,
        new StreamObserver<>() {
          @Override
          public void onNext(byte[] value) {
            f.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            f.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            f.complete(null);
          }
        });
    return f;
  }
}
