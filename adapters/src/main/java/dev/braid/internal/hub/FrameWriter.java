package dev.braid.internal.hub;

import dev.braid.proto.worker.v1.GatewayBatch;
import dev.braid.proto.worker.v1.GatewayFrame;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends gateway frames on a worker's stream, batching without timers. Two ways in:
 *
 * <ul>
 *   <li>{@link #send}: the sender drains the queue itself if no one else is draining: the lowest
 *       latency, used when the worker is idle;
 *   <li>{@link #sendSoon}: the drain is handed to an executor, so that while it wakes up and while
 *       it writes, frames from a pipelining caller pile up and leave together in one {@link
 *       GatewayBatch}: used when calls are already in flight, where one message per frame would
 *       cost the worker one trip through its gRPC stack per call.
 * </ul>
 *
 * <p>Thread-safe. Writes to the underlying observer are serialized by the {@code draining} flag.
 * Respects transport flow control: when the stream is not ready, draining stops and resumes from
 * the observer's on-ready handler.
 */
final class FrameWriter {
  /** A batch stops growing past this size so one message never gets huge. */
  private static final int MAX_BATCH_BYTES = 1 << 20;

  private final ServerCallStreamObserver<GatewayBatch> out;
  private final Executor executor;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final ConcurrentLinkedQueue<GatewayFrame> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicInteger holds = new AtomicInteger();
  private volatile boolean closed;

  FrameWriter(ServerCallStreamObserver<GatewayBatch> out, Executor executor) {
    this.out = out;
    this.executor = executor;
    out.setOnReadyHandler(this::drain);
  }

  /** Enqueues a frame and flushes if no other thread is flushing. Dropped once closed. */
  void send(GatewayFrame frame) {
    if (closed) {
      return;
    }
    queue.add(frame);
    drain();
  }

  /** Enqueues a frame; an executor thread drains soon, batching what piles up meanwhile. */
  void sendSoon(GatewayFrame frame) {
    if (closed) {
      return;
    }
    queue.add(frame);
    if (drainScheduled.compareAndSet(false, true)) {
      executor.execute(
          () -> {
            drainScheduled.set(false);
            drain();
          });
    }
  }

  /**
   * Holds frames back while the hub handles one inbound batch from a saturated worker: the calls
   * waiting for a slot are then dispatched one by one as each outcome frees one, and they leave
   * together from {@link #release}, in one message, instead of trickling out a few at a time.
   */
  void hold() {
    holds.incrementAndGet();
  }

  /** Ends a {@link #hold} and sends what piled up meanwhile. */
  void release() {
    // a sender that enqueued while held either sees the count at zero and drains itself, or its
    // frame is in the queue when this looks
    if (holds.decrementAndGet() == 0 && !queue.isEmpty()) {
      drain();
    }
  }

  private void drain() {
    drain(false);
  }

  private void drain(boolean evenIfHeld) {
    // Loop: after releasing the flag, a frame may have been enqueued by a thread that saw the
    // flag still set and left; re-check so that frame is not stranded.
    while ((evenIfHeld || holds.get() == 0)
        && !queue.isEmpty()
        && draining.compareAndSet(false, true)) {
      try {
        while (!closed && out.isReady()) {
          GatewayBatch batch = nextBatch();
          if (batch == null) {
            break;
          }
          out.onNext(batch);
        }
      } catch (RuntimeException e) {
        // the stream is gone (cancelled by the peer); the connection's close path fails calls
        closed = true;
        queue.clear();
      } finally {
        draining.set(false);
      }
      if (closed || !out.isReady()) {
        return;
      }
    }
  }

  private GatewayBatch nextBatch() {
    GatewayFrame first = queue.poll();
    if (first == null) {
      return null;
    }
    GatewayFrame second = queue.poll();
    if (second == null) {
      return GatewayBatch.newBuilder().addFrames(first).build();
    }
    GatewayBatch.Builder b = GatewayBatch.newBuilder().addFrames(first).addFrames(second);
    int bytes = first.getSerializedSize() + second.getSerializedSize();
    GatewayFrame f;
    while (bytes < MAX_BATCH_BYTES && (f = queue.poll()) != null) {
      b.addFrames(f);
      bytes += f.getSerializedSize();
    }
    return b.build();
  }

  /** Completes the stream after flushing what is queued. Idempotent. */
  void complete() {
    drain(true); // the last frames go out even while an inbound batch is being handled
    if (!closed) {
      closed = true;
      try {
        out.onCompleted();
      } catch (RuntimeException ignored) {
        // already cancelled by the peer
      }
    }
  }

  void abandon() {
    closed = true;
    queue.clear();
  }
}
