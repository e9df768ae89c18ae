package dev.braid.internal.hub;

import dev.braid.model.Scope;
import dev.braid.proto.worker.v1.GatewayFrame;
import dev.braid.proto.worker.v1.Hello;
import dev.braid.proto.worker.v1.Ping;
import dev.braid.proto.worker.v1.Shutdown;
import dev.braid.proto.worker.v1.WorkerFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected worker's stream: the calls in flight on it, keyed by call id, and the batching
 * writer. Closing is idempotent and fails every pending call exactly once with {@link
 * CallListener#onLost}. Thread-safe.
 */
public final class WorkerConnection implements WorkerChannel {
  private static final Logger log = LoggerFactory.getLogger(WorkerConnection.class);

  private final Hello hello;
  private final FrameWriter writer;
  private final ConcurrentHashMap<Long, CallListener> calls = new ConcurrentHashMap<>();
  private final AtomicLong nextCallId = new AtomicLong();
  private final AtomicLong pingSeq = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<String> closedFuture = new CompletableFuture<>();
  private volatile long lastPongNanos = System.nanoTime();

  /** When the oldest unanswered ping was sent; 0 when every ping has been answered. */
  private volatile long unansweredSinceNanos;

  private volatile Runnable pongListener = () -> {};
  private volatile NestedHandler nestedHandler;

  /** Nested calls this worker made and that are still running: their cancel functions. */
  private final ConcurrentHashMap<Long, Consumer<String>> nestedCalls = new ConcurrentHashMap<>();

  /** The longest worker log message written to the gateway's log; the rest is cut. */
  static final int MAX_LOG_CHARS = 4000;

  WorkerConnection(Hello hello, FrameWriter writer) {
    this.hello = hello;
    this.writer = writer;
  }

  /** True when the worker has as many calls open as it accepts at once (its Hello's limit). */
  boolean saturated() {
    int max = hello.getMaxInFlight();
    return max > 0 && calls.size() >= max;
  }

  public Hello hello() {
    return hello;
  }

  public String workerId() {
    return hello.getWorkerId();
  }

  @Override
  public String describe() {
    return hello.getLanguage() + " worker " + hello.getWorkerId() + " (pid " + hello.getPid() + ")";
  }

  @Override
  public long register(CallListener listener) {
    long id = nextCallId.incrementAndGet();
    calls.put(id, listener);
    if (closed.get() && calls.remove(id) != null) {
      listener.onLost(closedFuture.getNow("worker connection closed"));
    }
    return id;
  }

  @Override
  public void unregister(long callId) {
    calls.remove(callId);
  }

  /**
   * Sends a frame: at once when this is the only open call (an idle worker: latency first), batched
   * with others when calls are already in flight (throughput first).
   */
  @Override
  public void send(GatewayFrame frame) {
    if (calls.size() > 1) {
      writer.sendSoon(frame);
    } else {
      writer.send(frame);
    }
  }

  public void setNestedHandler(NestedHandler handler) {
    this.nestedHandler = handler;
  }

  /** The scope of a call in flight on this worker, or null. */
  public Scope scopeOf(long callId) {
    CallListener l = calls.get(callId);
    return l == null ? null : l.scope();
  }

  /**
   * Tracks a nested call this worker made until it settles, so that the worker's {@code
   * nested_cancel} and the loss of this connection can cancel it.
   */
  public void trackNested(long nestedId, Consumer<String> cancel) {
    nestedCalls.put(nestedId, cancel);
    if (closed.get() && nestedCalls.remove(nestedId) != null) {
      cancel.accept("worker_lost");
    }
  }

  public void untrackNested(long nestedId) {
    nestedCalls.remove(nestedId);
  }

  /** Sends a ping; see {@link #nanosSinceLastPong()}. */
  public void ping() {
    if (unansweredSinceNanos == 0) {
      unansweredSinceNanos = System.nanoTime();
    }
    writer.send(
        GatewayFrame.newBuilder()
            .setPing(Ping.newBuilder().setSeq(pingSeq.incrementAndGet()))
            .build());
  }

  /**
   * Whether a ping has gone unanswered for longer than {@code nanos}: the worker's event loop is
   * blocked or badly late, so new calls should not be routed to it.
   */
  public boolean isUnresponsive(long nanos) {
    long since = unansweredSinceNanos;
    return since != 0 && System.nanoTime() - since > nanos;
  }

  /** Runs on every pong (on the inbound thread); must not block. */
  public void setPongListener(Runnable listener) {
    this.pongListener = listener;
  }

  public long nanosSinceLastPong() {
    return System.nanoTime() - lastPongNanos;
  }

  public int openCalls() {
    return calls.size();
  }

  /** Asks the worker to stop gracefully (it finishes or cancels its calls, then exits). */
  public void shutdown(int graceMs, String reason) {
    writer.send(
        GatewayFrame.newBuilder()
            .setShutdown(Shutdown.newBuilder().setGraceMs(graceMs).setReason(reason))
            .build());
  }

  /** Completes with the close reason once the connection is closed. */
  public CompletableFuture<String> closed() {
    return closedFuture;
  }

  public boolean isClosed() {
    return closed.get();
  }

  void onFrame(WorkerFrame frame) {
    switch (frame.getKindCase()) {
      case OUTCOME -> {
        CallListener l = calls.remove(frame.getOutcome().getCallId());
        if (l != null) {
          l.onOutcome(frame.getOutcome());
        }
      }
      case ITEM -> {
        CallListener l = calls.get(frame.getItem().getCallId());
        if (l != null) {
          l.onItem(frame.getItem());
        }
      }
      case HEARTBEAT -> {
        CallListener l = calls.get(frame.getHeartbeat().getCallId());
        if (l != null) {
          l.onHeartbeat(frame.getHeartbeat());
        }
      }
      case PONG -> {
        lastPongNanos = System.nanoTime();
        unansweredSinceNanos = 0;
        pongListener.run();
      }
      case NESTED_CALL -> {
        NestedHandler h = nestedHandler;
        if (h != null) {
          h.onNestedCall(this, frame.getNestedCall());
        }
      }
      case NESTED_CANCEL -> {
        Consumer<String> c = nestedCalls.remove(frame.getNestedCancel().getCallId());
        if (c != null) {
          c.accept(frame.getNestedCancel().getReason());
        }
      }
      case LOG ->
          // a remote worker's text: bounded and on one line, so it cannot forge log lines
          log.info(
              "[{}] {}: {}",
              workerId(),
              printable(frame.getLog().getLogger(), 100),
              printable(frame.getLog().getMessage(), MAX_LOG_CHARS));
      default -> log.debug("[{}] ignoring frame {}", workerId(), frame.getKindCase());
    }
  }

  /**
   * Closes the connection: pending calls fail with {@code why}. Idempotent; only the first reason
   * counts.
   */
  public void close(String why) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // End our side of the stream first: what waits on closedFuture may wait for the worker's
    // exit, and the worker waits for this end of stream before exiting.
    writer.complete();
    closedFuture.complete(why);
    failAll(why);
  }

  /** The peer is gone: like {@link #close} without trying to complete the stream. */
  void lost(String why) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    writer.abandon();
    closedFuture.complete(why);
    failAll(why);
  }

  private void failAll(String why) {
    for (Long id : List.copyOf(nestedCalls.keySet())) {
      Consumer<String> c = nestedCalls.remove(id);
      if (c != null) {
        c.accept("worker_lost");
      }
    }
    List<CallListener> pending = new ArrayList<>();
    for (Long id : List.copyOf(calls.keySet())) {
      CallListener l = calls.remove(id);
      if (l != null) {
        pending.add(l);
      }
    }
    for (CallListener l : pending) {
      try {
        l.onLost(why);
      } catch (RuntimeException e) {
        log.warn("call listener failed while failing calls", e);
      }
    }
  }

  /** {@code text} cut to {@code max} characters, control characters escaped as {@code \\uXXXX}. */
  static String printable(String text, int max) {
    StringBuilder b = new StringBuilder(Math.min(text.length(), max) + 16);
    for (int i = 0; i < text.length() && b.length() < max; i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (b.length() >= max && text.length() > max) {
      b.append("... (").append(text.length()).append(" chars)");
    }
    return b.toString();
  }
}
