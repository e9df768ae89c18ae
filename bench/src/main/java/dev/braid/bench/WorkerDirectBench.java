package dev.braid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.braid.proto.worker.v1.GatewayBatch;
import dev.braid.proto.worker.v1.GatewayFrame;
import dev.braid.proto.worker.v1.Invoke;
import dev.braid.proto.worker.v1.Payload;
import dev.braid.proto.worker.v1.Shutdown;
import dev.braid.proto.worker.v1.Welcome;
import dev.braid.proto.worker.v1.WorkerBatch;
import dev.braid.proto.worker.v1.WorkerFrame;
import dev.braid.proto.worker.v1.WorkerHubGrpc;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Diagnostic, not a baseline: the real Python worker ({@code python -m braid_worker}) driven by a
 * minimal fake gateway written against the protocol directly, with no Braid Java machinery in
 * between (no scopes, pool, timers or JSON). The fake gateway puts up to {@code maxBatch} Invoke
 * frames in each {@link GatewayBatch}; comparing {@code maxBatch = 1} with a large batch shows how
 * much of the worker's cost is per gRPC message rather than per call, and its sequential latency
 * shows the worker's share of Braid's single-call latency.
 */
final class WorkerDirectBench {
  private static final Logger log = LoggerFactory.getLogger(WorkerDirectBench.class);
  static final int WINDOW = 2048;

  /** One phase: up to {@code maxBatch} invokes per message, each with this deadline (0: none). */
  private record Case(int maxBatch, long remainingMs) {}

  /**
   * The worker under test, started as Braid starts it (see PythonLauncher / NodeLauncher).
   *
   * @param label for logs
   * @param function the echo function's language-local reference
   * @param cases the phases to run
   * @param command the worker's command line
   * @param env environment entries beyond the ones every worker gets
   */
  record Worker(
      String label,
      String function,
      List<Case> cases,
      List<String> command,
      Map<String, String> env) {

    static Worker python(BenchConfig cfg) {
      return new Worker(
          "worker direct",
          "braid_bench:echo",
          List.of(new Case(1, 0), new Case(256, 0), new Case(256, 30_000)),
          List.of(cfg.python().toString(), "-m", "braid_worker"),
          Map.of(
              "PYTHONPATH",
              cfg.benchPython() + ":" + cfg.home().resolve("python-worker/src"),
              "PYTHONSAFEPATH",
              "1"));
    }

    static Worker node(BenchConfig cfg) {
      return new Worker(
          "node worker direct",
          "bench.mjs#echo",
          List.of(new Case(1, 0), new Case(256, 0)),
          List.of(
              NodeHelper.executable(), cfg.home().resolve("node-worker/src/main.mjs").toString()),
          Map.of("BRAID_NODE_PATH", NodeHelper.dir(cfg).toString()));
    }

    String slug() {
      return label.replace(' ', '-');
    }
  }

  private final BenchConfig cfg;
  private final Payload args;
  private final Worker target;

  // the one worker session; written by the bench thread only, read by the gRPC thread
  private final CompletableFuture<ServerCallStreamObserver<GatewayBatch>> session =
      new CompletableFuture<>();
  private final AtomicLong outcomes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong messagesIn = new AtomicLong();
  private final AtomicLong framesIn = new AtomicLong();
  private volatile Semaphore permits = new Semaphore(0);
  private long nextCallId;
  private long messagesOut;
  private long framesOut;

  WorkerDirectBench(BenchConfig cfg, byte[] argJson, Worker worker) {
    this.cfg = cfg;
    this.target = worker;
    this.args =
        Payload.newBuilder().setEncoding("json").setData(ByteString.copyFrom(argJson)).build();
  }

  @SuppressWarnings("deprecation") // EpollEventLoopGroup, as the hub itself uses
  ObjectNode run(ObjectMapper json) throws Exception {
    Path dir = Files.createTempDirectory("braid-bench-" + target.slug() + "-");
    Path sock = dir.resolve("hub.sock");
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    Server server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(sock.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .directExecutor()
            .addService(new Hub())
            .build()
            .start();
    Process worker = null;
    ObjectNode out = json.createObjectNode();
    try {
      worker = startWorker(sock, dir);
      ServerCallStreamObserver<GatewayBatch> stream = session.get(30, TimeUnit.SECONDS);
      send(stream, GatewayFrame.newBuilder().setWelcome(Welcome.getDefaultInstance()).build());
      log.info("{}: sequential calls", target.label());
      long[] nanos =
          Harness.sequential(
              cfg.samples(5_000),
              cfg.samples(10_000),
              () -> {
                sendInvokes(stream, 1, 0);
                acquire(1);
              });
      out.set("latency", Latency.of(nanos).toJson(json));
      ArrayNode rows = out.putArray("throughput");
      for (Case c : target.cases()) {
        pipelined(stream, c, cfg.phase(Duration.ofMillis(500))); // warm-up
        ObjectNode row = pipelined(stream, c, cfg.phase(Duration.ofSeconds(2))).toJson(json);
        row.put("max_invokes_per_message", c.maxBatch());
        row.put("remaining_ms", c.remainingMs());
        row.put("gateway_frames_per_message", (double) framesOut / messagesOut);
        row.put("worker_frames_per_message", (double) framesIn.get() / messagesIn.get());
        rows.add(row);
        log.info(
            "{}: {}: {} calls/s", target.label(), c, Math.round(row.get("calls_per_s").asDouble()));
      }
      out.put("failures", failures.get());
      send(
          stream,
          GatewayFrame.newBuilder()
              .setShutdown(Shutdown.newBuilder().setGraceMs(1000).setReason("shutdown"))
              .build());
      worker.waitFor(5, TimeUnit.SECONDS);
    } finally {
      if (worker != null) {
        worker.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
      Files.deleteIfExists(sock);
      Files.deleteIfExists(dir);
    }
    out.put("window", WINDOW);
    return out;
  }

  /** Keeps {@link #WINDOW} calls in flight, sending up to {@code c.maxBatch} invokes a message. */
  private Throughput pipelined(
      ServerCallStreamObserver<GatewayBatch> stream, Case c, Duration measure) throws Exception {
    Semaphore p = new Semaphore(WINDOW);
    permits = p;
    messagesOut = 0;
    framesOut = 0;
    messagesIn.set(0);
    framesIn.set(0);
    long done0 = outcomes.get();
    long t0 = System.nanoTime();
    long end = t0 + measure.toNanos();
    while (System.nanoTime() < end) {
      acquire(1);
      // only this thread takes permits, so what is available now stays available
      int extra = Math.min(c.maxBatch() - 1, p.availablePermits());
      int n = extra > 0 && p.tryAcquire(extra) ? 1 + extra : 1;
      sendInvokes(stream, n, c.remainingMs());
    }
    long done = outcomes.get() - done0;
    double seconds = (System.nanoTime() - t0) / 1e9;
    acquire(WINDOW); // every call of this phase has its outcome
    permits = new Semaphore(0);
    return new Throughput(WINDOW, done, failures.get(), seconds);
  }

  private void acquire(int n) throws InterruptedException, TimeoutException {
    if (!permits.tryAcquire(n, Harness.STALL.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new TimeoutException(target.label() + ": no outcome within " + Harness.STALL);
    }
  }

  private void sendInvokes(ServerCallStreamObserver<GatewayBatch> stream, int n, long remainingMs) {
    GatewayBatch.Builder b = GatewayBatch.newBuilder();
    for (int i = 0; i < n; i++) {
      b.addFrames(
          GatewayFrame.newBuilder()
              .setInvoke(
                  Invoke.newBuilder()
                      .setCallId(++nextCallId)
                      .setFunction(target.function())
                      .setArgs(args)
                      .setRemainingMs(remainingMs)
                      .setAttempt(1)
                      .setGraceMs(2000)));
    }
    messagesOut++;
    framesOut += n;
    stream.onNext(b.build());
  }

  private static void send(ServerCallStreamObserver<GatewayBatch> stream, GatewayFrame f) {
    stream.onNext(GatewayBatch.newBuilder().addFrames(f).build());
  }

  /** The worker as Braid starts it, pointed at the fake gateway. */
  private Process startWorker(Path sock, Path dir) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(target.command())
            .directory(dir.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(
                ProcessBuilder.Redirect.appendTo(
                    cfg.outDir().resolve(target.slug() + ".log").toFile()));
    Map<String, String> env = pb.environment();
    env.keySet().retainAll(List.of("PATH", "HOME", "LANG", "TMPDIR"));
    env.putAll(target.env());
    env.put("BRAID_SOCKET", sock.toString());
    env.put("BRAID_WORKER_ID", "bench-" + target.slug());
    env.put("BRAID_TOKEN", "unused");
    env.put("BRAID_MAX_IN_FLIGHT", Integer.toString(WINDOW));
    env.put("BRAID_LOG_LEVEL", "WARNING");
    return pb.start();
  }

  /** The fake WorkerHub: accepts one worker, counts outcomes, hands each back a permit. */
  private final class Hub extends WorkerHubGrpc.WorkerHubImplBase {
    @Override
    public StreamObserver<WorkerBatch> connect(StreamObserver<GatewayBatch> responses) {
      ServerCallStreamObserver<GatewayBatch> out =
          (ServerCallStreamObserver<GatewayBatch>) responses;
      return new StreamObserver<>() {
        @Override
        public void onNext(WorkerBatch batch) {
          messagesIn.incrementAndGet();
          int outs = 0;
          for (WorkerFrame f : batch.getFramesList()) {
            switch (f.getKindCase()) {
              case HELLO -> session.complete(out);
              case OUTCOME -> {
                outs++;
                if (f.getOutcome().hasFailure()) {
                  failures.incrementAndGet();
                }
              }
              default -> {}
            }
          }
          framesIn.addAndGet(batch.getFramesCount());
          if (outs > 0) {
            outcomes.addAndGet(outs);
            permits.release(outs);
          }
        }

        @Override
        public void onError(Throwable t) {
          session.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }
}
