package dev.braid.internal.hub;

import dev.braid.proto.worker.v1.GatewayBatch;
import dev.braid.proto.worker.v1.Hello;
import dev.braid.proto.worker.v1.WorkerBatch;
import dev.braid.proto.worker.v1.WorkerFrame;
import dev.braid.proto.worker.v1.WorkerHubGrpc;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The {@code WorkerHub} service behind every listener (the private Unix socket, the TCP listener
 * for remote workers): a worker's first frame must be a {@code Hello}, which a {@link Gate} admits
 * or refuses; an admitted stream becomes a {@link WorkerConnection}.
 */
final class HubService extends WorkerHubGrpc.WorkerHubImplBase {

  /** Decides whether a worker that said Hello may serve calls. */
  interface Gate {
    /**
     * Called once per stream, on a gRPC thread, with the worker's (untrusted) Hello. Returns the
     * admission, or a refusal status. Must not block.
     */
    Admission admit(Hello hello);
  }

  /**
   * A gate's answer: either {@code refusal} (the stream ends with it), or the Hello the connection
   * is made from (a gate may rewrite e.g. the worker id) and who receives the connection.
   */
  record Admission(Status refusal, Hello hello, Consumer<WorkerConnection> onConnected) {
    static Admission refuse(Status status) {
      return new Admission(status, null, null);
    }

    static Admission accept(Hello hello, Consumer<WorkerConnection> onConnected) {
      return new Admission(null, hello, onConnected);
    }
  }

  private final Executor executor;
  private final Gate gate;
  private final ScheduledExecutorService timer;
  private final Duration helloTimeout;

  HubService(Executor executor, Gate gate) {
    this(executor, gate, null, null);
  }

  /**
   * @param timer with {@code helloTimeout}: a stream that has not said Hello by then is ended with
   *     {@code DEADLINE_EXCEEDED}, so an unauthenticated peer cannot hold streams open; null for
   *     none (the private Unix socket, where only the gateway's own children connect)
   */
  HubService(Executor executor, Gate gate, ScheduledExecutorService timer, Duration helloTimeout) {
    this.executor = executor;
    this.gate = gate;
    this.timer = timer;
    this.helloTimeout = helloTimeout;
  }

  @Override
  public StreamObserver<WorkerBatch> connect(StreamObserver<GatewayBatch> responses) {
    ServerCallStreamObserver<GatewayBatch> out = (ServerCallStreamObserver<GatewayBatch>) responses;
    // handlers may only be set now, before this method returns, hence the writer is made here
    FrameWriter writer = new FrameWriter(out, executor);
    return new StreamObserver<>() {
      private volatile WorkerConnection conn;
      private volatile boolean refused;

      {
        out.setOnCancelHandler(
            () -> {
              WorkerConnection c = conn;
              if (c != null) {
                c.lost(
                    c.describe() + " went away: its stream broke (the process died or closed it)");
              }
            });
        if (timer != null) {
          timer.schedule(
              () -> {
                if (conn == null && !refused) {
                  refuse(
                      Status.DEADLINE_EXCEEDED.withDescription(
                          "no Hello within " + helloTimeout.toMillis() + "ms"));
                }
              },
              helloTimeout.toMillis(),
              TimeUnit.MILLISECONDS);
        }
      }

      @Override
      public void onNext(WorkerBatch batch) {
        if (refused) {
          return;
        }
        // a saturated worker: the outcomes of this batch free slots for queued calls, whose
        // invokes should leave together (below its limit, holding back only costs overlap)
        WorkerConnection c = conn;
        boolean hold = c != null && c.saturated();
        if (hold) {
          writer.hold();
        }
        try {
          for (WorkerFrame f : batch.getFramesList()) {
            if (conn != null) {
              conn.onFrame(f);
            } else if (!accept(f)) {
              return;
            }
          }
        } finally {
          if (hold) {
            writer.release();
          }
        }
      }

      private boolean accept(WorkerFrame f) {
        if (!f.hasHello()) {
          refuse(Status.FAILED_PRECONDITION.withDescription("first frame must be Hello"));
          return false;
        }
        Admission a = gate.admit(f.getHello());
        if (a.refusal() != null) {
          refuse(a.refusal());
          return false;
        }
        WorkerConnection c;
        synchronized (this) {
          if (refused) {
            return false; // the Hello timer ended the stream first
          }
          c = new WorkerConnection(a.hello(), writer);
          conn = c;
        }
        a.onConnected().accept(c);
        return true;
      }

      private synchronized void refuse(Status status) {
        // the timer and the inbound thread may both refuse: the stream ends once
        if (refused || conn != null) {
          return;
        }
        refused = true;
        out.onError(status.asRuntimeException());
      }

      @Override
      public void onError(Throwable t) {
        if (conn != null) {
          conn.lost(conn.describe() + " went away: " + Status.fromThrowable(t).getCode());
        }
      }

      @Override
      public void onCompleted() {
        if (conn != null) {
          conn.close(conn.describe() + " closed its stream");
        } else if (!refused) {
          out.onCompleted();
        }
      }
    };
  }
}
