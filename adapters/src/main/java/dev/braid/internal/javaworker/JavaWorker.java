package dev.braid.internal.javaworker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.internal.call.Protos;
import dev.braid.internal.hub.CallListener;
import dev.braid.internal.json.JsonRule;
import dev.braid.model.CancelReason;
import dev.braid.model.Clock;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.proto.worker.v1.FunctionInfo;
import dev.braid.proto.worker.v1.GatewayBatch;
import dev.braid.proto.worker.v1.GatewayFrame;
import dev.braid.proto.worker.v1.Heartbeat;
import dev.braid.proto.worker.v1.Hello;
import dev.braid.proto.worker.v1.Invoke;
import dev.braid.proto.worker.v1.Outcome;
import dev.braid.proto.worker.v1.Pong;
import dev.braid.proto.worker.v1.StreamItem;
import dev.braid.proto.worker.v1.WorkerBatch;
import dev.braid.proto.worker.v1.WorkerFrame;
import dev.braid.proto.worker.v1.WorkerHubGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java worker process's link to the gateway, the Java side of {@code _worker.py} and {@code
 * worker.mjs}: dials the hub's Unix socket, says Hello with the catalog of the preloaded classes,
 * and runs the {@code Invoke}s it receives on a {@link JavaCallRunner} (the same runner the
 * in-process {@link InProcessJavaWorker} uses) under the gateway's call ids. Pings are answered
 * from the stream's inbound thread. {@code Shutdown} refuses new calls, waits the grace, cancels
 * what is left with the reason, answers for calls that still run, and ends the stream.
 *
 * <p>Inbound frames arrive on one gRPC thread, in order; the runner's callbacks arrive on its pool
 * threads. Both only enqueue frames, so neither blocks the other.
 */
final class JavaWorker {
  private static final Logger log = LoggerFactory.getLogger(JavaWorker.class);

  /**
   * After a shutdown's cancel, how long calls get before they are answered for and left: the
   * fallback for a Welcome without {@code cancel_grace_ms}. (The Java worker has no lost-gateway or
   * close wait: on a broken stream it exits at once, and at shutdown it ends its side and exits.)
   */
  private static final long CANCEL_GRACE_MS = 1000;

  private volatile long cancelGraceMs = CANCEL_GRACE_MS;

  private final Settings settings;
  private final JavaResolver resolver;
  // the JSON rule of every language (NaN, cycles, depth 512 refused where the value is made)
  private final ObjectMapper json = JsonRule.newMapper();
  private final OutboundFrames out = new OutboundFrames();
  private final ScheduledThreadPoolExecutor timer;
  // the worker's one clock, on its one timer thread: call deadlines and nested calls' timers
  private final Clock clock;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();

  /** The gateway's ids of the calls whose outcome is not sent yet. */
  private final Set<Long> open = ConcurrentHashMap.newKeySet();

  private volatile JavaCallRunner runner;
  private volatile NestedCalls nested;
  private volatile boolean shuttingDown;
  private volatile boolean lost;

  /** What the launcher passes in the environment. */
  record Settings(
      String socket,
      String workerId,
      String token,
      int maxInFlight,
      int maxMessageBytes,
      List<String> preload) {}

  JavaWorker(Settings settings, ClassLoader loader) {
    this.settings = settings;
    this.resolver = new JavaResolver(loader, json);
    AtomicInteger n = new AtomicInteger();
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "braid-java-worker-timer-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
    this.clock = Clock.system(timer);
  }

  /** Connects and serves until the stream ends; returns the process exit code. */
  @SuppressWarnings("deprecation") // EpollEventLoopGroup: what grpc-java's examples still use
  int run() throws InterruptedException {
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(settings.socket()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(group)
            .usePlaintext()
            // frames are only routed and enqueued: no executor hop per message
            .directExecutor()
            .maxInboundMessageSize(settings.maxMessageBytes())
            .build();
    try {
      WorkerHubGrpc.newStub(channel).connect(new Inbound());
      out.send(WorkerFrame.newBuilder().setHello(hello()).build());
      return exit.get();
    } catch (ExecutionException e) {
      return 1;
    } finally {
      if (lost) {
        awaitIdle(CANCEL_GRACE_MS);
      }
      JavaCallRunner r = runner;
      if (r != null) {
        r.close();
      }
      channel.shutdownNow();
      channel.awaitTermination(2, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      timer.shutdownNow();
    }
  }

  private Hello hello() {
    return Hello.newBuilder()
        .setLanguage("java")
        .setRuntimeVersion(
            System.getProperty("java.vm.name") + " " + System.getProperty("java.version"))
        .setWorkerId(settings.workerId())
        .setToken(settings.token())
        .setMaxInFlight(settings.maxInFlight())
        .setPid((int) ProcessHandle.current().pid())
        .setProtocolVersion("1")
        .addAllCatalog(catalog())
        .build();
  }

  /** The preloaded classes' functions; like Python's preload, a class that fails is logged. */
  private List<FunctionInfo> catalog() {
    List<FunctionInfo> all = new ArrayList<>();
    for (String cls : settings.preload()) {
      try {
        all.addAll(resolver.preload(List.of(cls)));
      } catch (IllegalArgumentException e) {
        log.error("preload of {} failed: {}", cls, e.getMessage());
      }
    }
    return all;
  }

  private void onFrame(GatewayFrame f) {
    switch (f.getKindCase()) {
      case WELCOME -> {
        int cancelGrace = f.getWelcome().getCancelGraceMs();
        cancelGraceMs = cancelGrace == 0 ? CANCEL_GRACE_MS : Integer.toUnsignedLong(cancelGrace);
        welcome(
            (int) Math.min(Integer.MAX_VALUE, f.getWelcome().getMaxPayloadBytes()),
            Duration.ofMillis(f.getWelcome().getGraceMs()));
      }
      case INVOKE -> invoke(f.getInvoke());
      case CANCEL -> {
        JavaCallRunner r = runner;
        if (r != null) {
          r.cancel(f.getCancel().getCallId(), CancelReason.fromWire(f.getCancel().getReason()));
        }
      }
      case CREDIT -> {
        JavaCallRunner r = runner;
        if (r != null) {
          r.credit(f.getCredit().getCallId(), f.getCredit().getCredit());
        }
      }
      case PING ->
          out.send(
              WorkerFrame.newBuilder()
                  .setPong(Pong.newBuilder().setSeq(f.getPing().getSeq()).setInFlight(open.size()))
                  .build());
      case SHUTDOWN -> {
        if (!shuttingDown) {
          shuttingDown = true;
          String reason =
              f.getShutdown().getReason().isEmpty() ? "shutdown" : f.getShutdown().getReason();
          long grace = f.getShutdown().getGraceMs();
          Thread t = new Thread(() -> shutdown(grace, reason), "braid-java-worker-shutdown");
          t.setDaemon(true);
          t.start();
        }
      }
      case NESTED_ITEM -> nested.onItem(f.getNestedItem());
      case NESTED_OUTCOME -> nested.onOutcome(f.getNestedOutcome());
      default -> log.debug("ignored frame {}", f.getKindCase());
    }
  }

  private void welcome(int maxPayloadBytes, Duration grace) {
    if (runner != null) {
      return;
    }
    NestedCalls n =
        new NestedCalls(
            out, clock, json, grace.isZero() ? Duration.ofSeconds(2) : grace, maxPayloadBytes);
    nested = n;
    runner = new JavaCallRunner(json, resolver, clock, n, maxPayloadBytes);
  }

  private void invoke(Invoke inv) {
    long g = inv.getCallId();
    JavaCallRunner r = runner;
    if (shuttingDown || r == null) {
      String why =
          shuttingDown ? "the Java worker is shutting down" : "the Java worker got no Welcome";
      sendOutcome(
          Outcome.newBuilder()
              .setCallId(g)
              .setFailure(Protos.toProto(Failure.of(FailureCode.UNAVAILABLE, "Shutdown", why)))
              .build());
      return;
    }
    if (open.size() >= settings.maxInFlight()) {
      // the limit this worker announced in Hello, as the Python and Node workers enforce it
      sendOutcome(
          Outcome.newBuilder()
              .setCallId(g)
              .setFailure(
                  Protos.toProto(
                      Failure.of(
                          FailureCode.RESOURCE_EXHAUSTED,
                          "TooManyCalls",
                          "more than max_in_flight " + settings.maxInFlight() + " calls open")))
              .build());
      return;
    }
    if (!open.add(g)) {
      log.warn("ignored a second Invoke for call {}", g);
      return;
    }
    r.invoke(g, inv, new Relay(g));
  }

  private void sendOutcome(Outcome o) {
    out.send(WorkerFrame.newBuilder().setOutcome(o).build());
  }

  /** Two-phase: wait for calls to end within the grace, cancel the rest, answer for stragglers. */
  private void shutdown(long graceMs, String reason) {
    log.info("shutting down ({}): {} calls in flight, grace {} ms", reason, open.size(), graceMs);
    awaitIdle(graceMs);
    if (!open.isEmpty()) {
      for (Long g : List.copyOf(open)) {
        runner.cancel(g, CancelReason.fromWire(reason));
      }
      awaitIdle(cancelGraceMs);
    }
    for (Long g : List.copyOf(open)) {
      if (open.remove(g)) {
        // still running: answer for it so the gateway gets exactly one outcome, then leave it
        runner.forget(g);
        sendOutcome(
            Outcome.newBuilder()
                .setCallId(g)
                .setFailure(
                    Protos.toProto(
                        Failure.cancelled(
                            CancelReason.fromWire(reason),
                            "the call did not finish after cancel; abandoned at shutdown")))
                .build());
      }
    }
    out.complete();
    exit.complete(0);
  }

  private void awaitIdle(long millis) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (open) {
      while (!open.isEmpty()) {
        long left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
        if (left <= 0) {
          return;
        }
        try {
          open.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Carries one call's frames from the runner to the gateway. */
  private final class Relay implements CallListener {
    private final long gatewayId;

    Relay(long gatewayId) {
      this.gatewayId = gatewayId;
    }

    @Override
    public void onItem(StreamItem item) {
      out.send(WorkerFrame.newBuilder().setItem(item).build());
    }

    @Override
    public void onOutcome(Outcome outcome) {
      if (!open.remove(gatewayId)) {
        return; // answered for at shutdown already
      }
      sendOutcome(outcome);
      if (shuttingDown || lost) {
        synchronized (open) {
          open.notifyAll();
        }
      }
    }

    @Override
    public void onHeartbeat(Heartbeat heartbeat) {
      out.send(WorkerFrame.newBuilder().setHeartbeat(heartbeat).build());
    }

    @Override
    public void onLost(String why) {
      // the runner never loses a call
    }
  }

  /** The gateway's side of the stream. */
  private final class Inbound implements ClientResponseObserver<WorkerBatch, GatewayBatch> {
    @Override
    public void beforeStart(ClientCallStreamObserver<WorkerBatch> requests) {
      out.bind(requests);
    }

    @Override
    public void onNext(GatewayBatch batch) {
      for (GatewayFrame f : batch.getFramesList()) {
        try {
          onFrame(f);
        } catch (RuntimeException e) {
          log.error("could not handle a {} frame", f.getKindCase(), e);
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      Status s = Status.fromThrowable(t);
      if (!shuttingDown) {
        System.err.println("braid java worker: the gateway's stream ended: " + s);
        // the gateway is gone: running calls are cancelled with worker_lost (not the close's
        // shutdown), and run() gives them a bounded wait before the process exits
        lost = true;
        JavaCallRunner r = runner;
        if (r != null) {
          for (Long g : List.copyOf(open)) {
            r.cancel(g, CancelReason.WORKER_LOST);
          }
        }
      }
      end("the gateway's stream ended: " + s.getCode());
      exit.complete(shuttingDown ? 0 : 1);
    }

    @Override
    public void onCompleted() {
      end("the gateway closed the stream");
      exit.complete(0);
    }

    private void end(String why) {
      NestedCalls n = nested;
      if (n != null) {
        n.closeAll(why);
      }
    }
  }
}
