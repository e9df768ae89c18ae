package dev.braid.internal.javaworker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.internal.call.Protos;
import dev.braid.internal.hub.CallListener;
import dev.braid.internal.javafn.JavaFunctionHost;
import dev.braid.internal.json.JsonRule;
import dev.braid.model.CancelReason;
import dev.braid.model.Clock;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.proto.worker.v1.Cancel;
import dev.braid.proto.worker.v1.GatewayBatch;
import dev.braid.proto.worker.v1.GatewayFrame;
import dev.braid.proto.worker.v1.Heartbeat;
import dev.braid.proto.worker.v1.Hello;
import dev.braid.proto.worker.v1.Invoke;
import dev.braid.proto.worker.v1.Outcome;
import dev.braid.proto.worker.v1.Pong;
import dev.braid.proto.worker.v1.StreamCredit;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java worker process's link to the gateway: dials the hub's Unix socket, says Hello, and runs
 * the {@code Invoke}s it receives on a {@link JavaFunctionHost} (the same code that runs in-process
 * Java functions), translating call ids both ways. Pings are answered from the stream's inbound
 * thread. {@code Shutdown} refuses new calls, waits the grace, cancels what is left with the
 * reason, answers for calls that still run, and ends the stream.
 *
 * <p>Inbound frames arrive on one gRPC thread, in order; the host's callbacks arrive on its pool
 * threads. Both only enqueue frames, so neither blocks the other.
 */
final class JavaWorker {
  private static final Logger log = LoggerFactory.getLogger(JavaWorker.class);

  /** After a shutdown's cancel, how long calls get before they are answered for and left. */
  private static final long CANCEL_GRACE_MS = 1000;

  private final Settings settings;
  private final ClassLoader loader;
  // the JSON rule of every language (NaN, cycles, depth 512 refused where the value is made)
  private final ObjectMapper json = JsonRule.newMapper();
  private final OutboundFrames out = new OutboundFrames();
  private final ScheduledThreadPoolExecutor timer;
  // the worker's one clock, on its one timer thread: call deadlines and nested calls' timers
  private final Clock clock;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();

  /** Gateway call id -> the host's id for it, for every call whose outcome is not sent yet. */
  private final ConcurrentHashMap<Long, Long> hostIds = new ConcurrentHashMap<>();

  /** The reverse, for the parent of nested calls. */
  private final ConcurrentHashMap<Long, Long> gatewayIds = new ConcurrentHashMap<>();

  private volatile JavaFunctionHost host;
  private volatile NestedCalls nested;
  private volatile boolean shuttingDown;

  /** What the launcher passes in the environment. */
  record Settings(
      String socket, String workerId, String token, int maxInFlight, int maxMessageBytes) {}

  JavaWorker(Settings settings, ClassLoader loader) {
    this.settings = settings;
    this.loader = loader;
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
      JavaFunctionHost h = host;
      if (h != null) {
        h.close();
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
        .build();
  }

  private void onFrame(GatewayFrame f) {
    switch (f.getKindCase()) {
      case WELCOME ->
          welcome(
              (int) Math.min(Integer.MAX_VALUE, f.getWelcome().getMaxPayloadBytes()),
              Duration.ofMillis(f.getWelcome().getGraceMs()));
      case INVOKE -> invoke(f.getInvoke());
      case CANCEL -> {
        Long h = hostIds.get(f.getCancel().getCallId());
        if (h != null) {
          host.send(
              GatewayFrame.newBuilder()
                  .setCancel(Cancel.newBuilder(f.getCancel()).setCallId(h))
                  .build());
        }
      }
      case CREDIT -> {
        Long h = hostIds.get(f.getCredit().getCallId());
        if (h != null) {
          host.send(
              GatewayFrame.newBuilder()
                  .setCredit(StreamCredit.newBuilder(f.getCredit()).setCallId(h))
                  .build());
        }
      }
      case PING ->
          out.send(
              WorkerFrame.newBuilder()
                  .setPong(
                      Pong.newBuilder().setSeq(f.getPing().getSeq()).setInFlight(hostIds.size()))
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
    if (host != null) {
      return;
    }
    NestedCalls n =
        new NestedCalls(
            out,
            clock,
            json,
            grace.isZero() ? Duration.ofSeconds(2) : grace,
            maxPayloadBytes,
            hostId -> gatewayIds.getOrDefault(hostId, 0L));
    nested = n;
    host = new JavaFunctionHost(json, loader, clock, n, maxPayloadBytes);
  }

  private void invoke(Invoke inv) {
    long g = inv.getCallId();
    JavaFunctionHost h = host;
    if (shuttingDown || h == null) {
      String why =
          shuttingDown ? "the Java worker is shutting down" : "the Java worker got no Welcome";
      sendOutcome(
          Outcome.newBuilder()
              .setCallId(g)
              .setFailure(Protos.toProto(Failure.of(FailureCode.UNAVAILABLE, "Shutdown", why)))
              .build());
      return;
    }
    Relay relay = new Relay(g);
    long id = h.register(relay);
    relay.hostId = id;
    hostIds.put(g, id);
    gatewayIds.put(id, g);
    h.send(GatewayFrame.newBuilder().setInvoke(Invoke.newBuilder(inv).setCallId(id)).build());
  }

  private void sendOutcome(Outcome o) {
    out.send(WorkerFrame.newBuilder().setOutcome(o).build());
  }

  /** Two-phase: wait for calls to end within the grace, cancel the rest, answer for stragglers. */
  private void shutdown(long graceMs, String reason) {
    log.info(
        "shutting down ({}): {} calls in flight, grace {} ms", reason, hostIds.size(), graceMs);
    awaitIdle(graceMs);
    if (!hostIds.isEmpty()) {
      for (Long h : List.copyOf(hostIds.values())) {
        host.send(
            GatewayFrame.newBuilder()
                .setCancel(Cancel.newBuilder().setCallId(h).setReason(reason))
                .build());
      }
      awaitIdle(CANCEL_GRACE_MS);
    }
    for (Long g : List.copyOf(hostIds.keySet())) {
      Long h = hostIds.remove(g);
      if (h != null) {
        // still running: answer for it so the gateway gets exactly one outcome, then leave it
        host.unregister(h);
        gatewayIds.remove(h);
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
    synchronized (hostIds) {
      while (!hostIds.isEmpty()) {
        long left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
        if (left <= 0) {
          return;
        }
        try {
          hostIds.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Carries one call's frames from the host to the gateway under the gateway's call id. */
  private final class Relay implements CallListener {
    private final long gatewayId;
    volatile long hostId;

    Relay(long gatewayId) {
      this.gatewayId = gatewayId;
    }

    @Override
    public void onItem(StreamItem item) {
      out.send(
          WorkerFrame.newBuilder()
              .setItem(StreamItem.newBuilder(item).setCallId(gatewayId))
              .build());
    }

    @Override
    public void onOutcome(Outcome outcome) {
      if (hostIds.remove(gatewayId) == null) {
        return; // answered for at shutdown already
      }
      gatewayIds.remove(hostId);
      sendOutcome(Outcome.newBuilder(outcome).setCallId(gatewayId).build());
      if (shuttingDown) {
        synchronized (hostIds) {
          hostIds.notifyAll();
        }
      }
    }

    @Override
    public void onHeartbeat(Heartbeat heartbeat) {
      out.send(
          WorkerFrame.newBuilder()
              .setHeartbeat(Heartbeat.newBuilder(heartbeat).setCallId(gatewayId))
              .build());
    }

    @Override
    public void onLost(String why) {
      // the in-process host never loses a call
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
