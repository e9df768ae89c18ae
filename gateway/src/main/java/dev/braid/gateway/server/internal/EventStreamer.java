package dev.braid.gateway.server.internal;

import dev.braid.proto.api.v1.RunEvent;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Sends a run's events to one client stream, from a cursor, as fast as the client reads: events are
 * taken from the {@link EventLog} only while the transport {@link
 * ServerCallStreamObserver#isReady() is ready}, so a slow client costs no memory beyond the log's
 * window. Completes the stream after the outcome event.
 *
 * <p>Signals (a new event, the transport ready again, a cancel) may come from any thread; the
 * sending itself is serialized on {@code executor} (a drain loop with a work-in-progress counter),
 * so the observer is never called concurrently.
 */
public final class EventStreamer {
  private static final int BATCH = 64;

  private final EventSource log;
  private final ServerCallStreamObserver<RunEvent> out;
  private final Executor executor;
  private final Runnable onDone;
  private final AtomicInteger wip = new AtomicInteger();
  private volatile boolean stopped;
  private volatile boolean finished;
  private volatile Status endStatus;
  private volatile Function<RunEvent, Status> outcomeStatus;
  private volatile Runnable unsubscribe;
  // confined to the drain loop
  private long cursor;
  private RunEvent lastSent;

  /**
   * Call from the service method (it installs the observer's handlers, which gRPC allows only
   * there); then {@link #start()}.
   *
   * @param onDone runs once when the stream has ended: completed, or cancelled by the client
   */
  public EventStreamer(
      EventSource log,
      long fromSeq,
      ServerCallStreamObserver<RunEvent> out,
      Executor executor,
      Runnable onDone) {
    this.log = log;
    this.cursor = fromSeq;
    this.out = out;
    this.executor = executor;
    this.onDone = onDone;
  }

  /**
   * Ends the stream with the status {@code rule} gives for the outcome event (null: completes it as
   * usual). Call before {@link #start()}.
   */
  public void endWith(Function<RunEvent, Status> rule) {
    outcomeStatus = rule;
  }

  /** Starts sending. */
  public void start() {
    Runnable u = log.subscribe(this::signal);
    unsubscribe = u;
    if (finished) {
      // a drain ran (on an event appended meanwhile) and ended the stream before the assignment
      u.run();
    }
    signal();
  }

  /** The transport became ready, or the client went away: re-check. */
  public void signal() {
    if (wip.getAndIncrement() == 0) {
      executor.execute(this::drain);
    }
  }

  /**
   * Ends the stream with {@code status} at the next drain, instead of completing it after the
   * outcome; events not sent by then are dropped. For an RPC whose deadline owner answers before
   * the run has settled. The first status wins.
   */
  public void failWith(Status status) {
    if (endStatus == null) {
      endStatus = status;
    }
    signal();
  }

  /** Stops sending (the client cancelled); the stream is not completed. */
  public void stop() {
    stopped = true;
    signal();
  }

  private void drain() {
    int missed = 1;
    do {
      if (stopped || out.isCancelled()) {
        finish(false);
        return;
      }
      if (endStatus != null) {
        finish(true);
        return;
      }
      while (out.isReady()) {
        EventLog.Slice s = log.read(cursor, BATCH);
        for (RunEvent e : s.events()) {
          out.onNext(e);
          lastSent = e;
          cursor = e.getSeq() + 1;
        }
        if (s.end(cursor)) {
          if (s.aborted() != null) {
            failWith(s.aborted());
          }
          finish(true);
          return;
        }
        if (s.events().isEmpty()) {
          break;
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void finish(boolean complete) {
    if (finished) {
      return;
    }
    finished = true;
    stopped = true;
    Runnable u = unsubscribe;
    if (u != null) {
      u.run();
    }
    if (complete) {
      Status end = endStatus;
      Function<RunEvent, Status> rule = outcomeStatus;
      if (end == null && rule != null && lastSent != null) {
        end = rule.apply(lastSent);
      }
      if (end != null) {
        // checked here too: failWith may come while this drain is sending the last events
        out.onError(end.asRuntimeException());
      } else {
        out.onCompleted();
      }
    }
    onDone.run();
  }
}
