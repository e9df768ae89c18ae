package dev.braid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.gateway.server.BraidServer;
import dev.braid.gateway.server.ServerConfig;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.InvokeResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public API ({@code braid serve}'s {@link BraidServer}, service {@code braid.api.v1.Braid})
 * against a direct gRPC server in the same language, in the same run: {@code Invoke} of the bench's
 * trivial {@code echo} (Python: {@code python:braid_bench:echo}, Node: {@code node:bench.mjs#echo},
 * one worker each) beside the naive echo servers of the {@code grpc} and {@code node_grpc} sections
 * ({@code grpc_echo_server.py}, {@code grpc_echo_server.mjs}), here listening on TCP loopback like
 * the API server. Every system is called by grpc-java the same way: Netty channels to 127.0.0.1,
 * plaintext, responses on the I/O thread; the Braid channels add the bearer token.
 *
 * <ul>
 *   <li><b>latency</b>: sequential blocking calls on one channel (one client), in interleaved
 *       rounds of the four systems after a warm-up;
 *   <li><b>throughput</b>: {@link #IN_FLIGHT} calls in flight from one thread, spread round-robin
 *       over {@link #CLIENTS} channels (one HTTP/2 connection each: many concurrent clients),
 *       interleaved rounds, the best round counts.
 * </ul>
 *
 * The target: the gateway hop costs ≤ 2× a direct call in latency (p50 of Invoke ÷ p50 of
 * the direct server of the same language).
 */
final class ApiBench {
  private static final Logger log = LoggerFactory.getLogger(ApiBench.class);

  static final int CLIENTS = 32;
  static final int IN_FLIGHT = 32;
  private static final long WAIT_S = 10;

  private final BenchConfig cfg;
  private final byte[] payload;
  private final String argsJson;

  ApiBench(BenchConfig cfg, String argsJson) {
    this.cfg = cfg;
    this.argsJson = argsJson;
    this.payload = argsJson.getBytes(StandardCharsets.UTF_8);
  }

  /** One system under test: how to call it once, blocking and asynchronously, on a channel. */
  private record Target(String lang, String kind, List<ManagedChannel> channels, Caller caller) {
    String name() {
      return lang + " " + kind;
    }
  }

  private interface Caller {
    /** One blocking call on {@code ch}; throws unless the expected answer came back. */
    void blocking(Channel ch);

    /** One call on {@code ch}; the future fails unless the expected answer came back. */
    CompletableFuture<?> async(Channel ch);
  }

  ObjectNode run(ObjectMapper json) throws Exception {
    ObjectNode out = json.createObjectNode();
    out.put("clients", CLIENTS);
    out.put("in_flight", IN_FLIGHT);
    out.put(
        "transport", "TCP 127.0.0.1, plaintext HTTP/2, grpc-java Netty client in the bench JVM");
    out.put("payload", argsJson);
    out.put("python_function", BraidBench.ECHO);
    out.put("node_function", NodeBench.ECHO);
    String token = "bench-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
    List<ManagedChannel> all = new ArrayList<>();
    int pyPort = freePort();
    int nodePort = freePort();
    try (Braid braid =
            Braid.start(
                BraidConfig.builder()
                    .braidHome(cfg.home())
                    .addPythonPath(cfg.benchPython())
                    .pythonWorkers(1)
                    .addNodePath(NodeHelper.dir(cfg))
                    .nodeWorkers(1)
                    .build());
        PythonHelper py =
            PythonHelper.start(cfg, "grpc_echo_server.py", "tcp:127.0.0.1:" + pyPort);
        NodeHelper node =
            NodeHelper.start(cfg, "grpc_echo_server.mjs", "tcp:127.0.0.1:" + nodePort)) {
      // the first calls start the workers and wait for them to connect
      braid.function(BraidBench.ECHO).call("start").get(60, TimeUnit.SECONDS);
      braid.function(NodeBench.ECHO).call("start").get(60, TimeUnit.SECONDS);
      ServerConfig sc =
          ServerConfig.builder()
              .listen(new InetSocketAddress("127.0.0.1", 0))
              .tokens(List.of(token))
              .drainGrace(Duration.ofSeconds(1))
              .cancelGrace(Duration.ofSeconds(1))
              .build();
      BraidServer server = BraidServer.start(sc, braid);
      try {
        out.put("braid_max_concurrent_calls", sc.maxConcurrentCalls());
        out.put("direct_node_server", node.banner());
        List<Target> targets =
            List.of(
                new Target("python", "direct", channels(pyPort, null, all), direct()),
                new Target(
                    "python",
                    "braid",
                    channels(server.port(), token, all),
                    invoke(BraidBench.ECHO)),
                new Target("node", "direct", channels(nodePort, null, all), direct()),
                new Target(
                    "node", "braid", channels(server.port(), token, all), invoke(NodeBench.ECHO)));
        measure(json, out, targets);
      } finally {
        for (ManagedChannel c : all) {
          c.shutdownNow();
        }
        for (ManagedChannel c : all) {
          c.awaitTermination(5, TimeUnit.SECONDS);
        }
        server.shutdown();
      }
    }
    return out;
  }

  private void measure(ObjectMapper json, ObjectNode out, List<Target> targets) throws Exception {
    int rounds = cfg.quick() ? 1 : 3;
    int perRound = cfg.samples(2_000);
    out.put("latency_rounds", rounds);
    // warm-up: every channel connects and carries some calls, then the sequential path
    for (Target t : targets) {
      log.info("api: warming up {}", t.name());
      for (ManagedChannel ch : t.channels()) {
        for (int i = 0; i < 20; i++) {
          t.caller().blocking(ch);
        }
      }
      Harness.sequential(cfg.samples(3_000), 0, () -> t.caller().blocking(t.channels().get(0)));
      Harness.pipelined(
          IN_FLIGHT,
          Duration.ZERO,
          cfg.phase(Duration.ofSeconds(1)),
          roundRobin(t.caller(), t.channels()));
    }
    long[][] samples = new long[targets.size()][rounds * perRound];
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < targets.size(); i++) {
        Target t = targets.get(i);
        Channel ch = t.channels().get(0);
        long[] ns = Harness.sequential(0, perRound, () -> t.caller().blocking(ch));
        System.arraycopy(ns, 0, samples[i], r * perRound, perRound);
      }
    }
    ObjectNode[] nodes = new ObjectNode[targets.size()];
    for (int i = 0; i < targets.size(); i++) {
      Target t = targets.get(i);
      ObjectNode lang =
          out.has(t.lang()) ? (ObjectNode) out.get(t.lang()) : out.putObject(t.lang());
      nodes[i] = lang.putObject(t.kind());
      nodes[i].set("latency", Latency.of(samples[i]).toJson(json));
      log.info(
          "api: {} latency p50 {} us",
          t.name(),
          nodes[i].path("latency").path("p50_us").asDouble());
    }
    ArrayNode[] tried = new ArrayNode[targets.size()];
    Throughput[] best = new Throughput[targets.size()];
    for (int i = 0; i < targets.size(); i++) {
      tried[i] = nodes[i].putArray("throughput_tried");
    }
    for (int round = 1; round <= cfg.rounds(); round++) {
      for (int i = 0; i < targets.size(); i++) {
        Target t = targets.get(i);
        Throughput tp =
            Harness.pipelined(
                IN_FLIGHT,
                cfg.phase(Duration.ofMillis(750)),
                cfg.phase(Duration.ofSeconds(3)),
                roundRobin(t.caller(), t.channels()));
        log.info(
            "api: {} {} in flight over {} clients: {} calls/s",
            t.name(),
            IN_FLIGHT,
            t.channels().size(),
            Math.round(tp.perSecond()));
        tried[i].add(tp.toJson(json).put("round", round));
        if (best[i] == null || tp.perSecond() > best[i].perSecond()) {
          best[i] = tp;
        }
      }
    }
    for (int i = 0; i < targets.size(); i++) {
      nodes[i].set("throughput", best[i].toJson(json));
    }
    for (String lang : List.of("python", "node")) {
      ObjectNode l = (ObjectNode) out.get(lang);
      double d50 = l.path("direct").path("latency").path("p50_us").asDouble();
      double b50 = l.path("braid").path("latency").path("p50_us").asDouble();
      double d99 = l.path("direct").path("latency").path("p99_us").asDouble();
      double b99 = l.path("braid").path("latency").path("p99_us").asDouble();
      double dt = l.path("direct").path("throughput").path("calls_per_s").asDouble();
      double bt = l.path("braid").path("throughput").path("calls_per_s").asDouble();
      l.put("latency_ratio_p50", b50 / d50);
      l.put("latency_ratio_p99", b99 / d99);
      l.put("throughput_ratio", bt / dt);
      log.info(
          "api: {}: Invoke p50 {}x the direct call, throughput {}x",
          lang,
          String.format("%.2f", b50 / d50),
          String.format("%.2f", bt / dt));
    }
  }

  private static Supplier<CompletableFuture<?>> roundRobin(Caller c, List<ManagedChannel> chs) {
    AtomicInteger next = new AtomicInteger();
    return () -> c.async(chs.get(Math.floorMod(next.getAndIncrement(), chs.size())));
  }

  /** {@link #CLIENTS} channels to 127.0.0.1:port, with the bearer token if not null. */
  private static List<ManagedChannel> channels(int port, String token, List<ManagedChannel> all) {
    List<ManagedChannel> chs = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      NettyChannelBuilder b =
          NettyChannelBuilder.forAddress("127.0.0.1", port)
              .usePlaintext()
              // responses complete futures on the I/O thread: no executor hop per call
              .directExecutor();
      if (token != null) {
        Metadata m = new Metadata();
        m.put(
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        b.intercept(MetadataUtils.newAttachHeadersInterceptor(m));
      }
      ManagedChannel ch = b.build();
      chs.add(ch);
      all.add(ch);
    }
    return chs;
  }

  /** The naive echo servers' method: the payload's bytes, echoed. */
  private Caller direct() {
    MethodDescriptor<byte[], byte[]> m = GrpcBaselineBench.ECHO;
    return new Caller() {
      @Override
      public void blocking(Channel ch) {
        checkEcho(ClientCalls.blockingUnaryCall(ch, m, deadline(), payload));
      }

      @Override
      public CompletableFuture<?> async(Channel ch) {
        return call(ch, m, payload).thenApply(ApiBench.this::checkEcho);
      }
    };
  }

  /** Braid's Invoke of {@code function} with the payload as its argument list. */
  private Caller invoke(String function) {
    InvokeRequest req =
        InvokeRequest.newBuilder().setFunction(function).setArgsJson(argsJson).build();
    MethodDescriptor<InvokeRequest, InvokeResponse> m = BraidGrpc.getInvokeMethod();
    String expected = argsJson.substring(1, argsJson.length() - 1); // the one argument, echoed
    return new Caller() {
      @Override
      public void blocking(Channel ch) {
        checkInvoke(ClientCalls.blockingUnaryCall(ch, m, deadline(), req), expected);
      }

      @Override
      public CompletableFuture<?> async(Channel ch) {
        return call(ch, m, req).thenApply(r -> checkInvoke(r, expected));
      }
    };
  }

  private byte[] checkEcho(byte[] got) {
    if (!Arrays.equals(got, payload)) {
      throw new IllegalStateException(
          "echo server answered " + new String(got, StandardCharsets.UTF_8));
    }
    return got;
  }

  private static InvokeResponse checkInvoke(InvokeResponse r, String expected) {
    if (r.hasFailure() || !expected.equals(r.getValueJson())) {
      throw new IllegalStateException("Invoke answered " + r);
    }
    return r;
  }

  private static CallOptions deadline() {
    return CallOptions.DEFAULT.withDeadlineAfter(WAIT_S, TimeUnit.SECONDS);
  }

  private static <Q, R> CompletableFuture<R> call(Channel ch, MethodDescriptor<Q, R> m, Q req) {
    CompletableFuture<R> f = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(
        ch.newCall(m, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS)),
        req,
        new StreamObserver<>() {
          @Override
          public void onNext(R value) {
            f.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            f.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            if (!f.isDone()) {
              f.completeExceptionally(new IllegalStateException("no response"));
            }
          }
        });
    return f;
  }

  /** A free TCP port on loopback (the helper servers bind it right after). */
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
