package dev.braid.internal.javaworker;

import dev.braid.proto.worker.v1.WorkerBatch;
import dev.braid.proto.worker.v1.WorkerFrame;
import io.grpc.stub.ClientCallStreamObserver;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Java worker's side of the stream: frames from any thread, batched without timers (the gateway
 * side, {@code FrameWriter}, does the same): whoever finds no one draining sends everything queued,
 * so frames that pile up while a message is written leave together in one {@link WorkerBatch}.
 *
 * <p>Thread-safe. Writes to the observer are serialized by the {@code draining} flag; draining
 * stops while the transport is not ready and resumes from the on-ready handler.
 */
final class OutboundFrames {
  /** A batch stops growing past this size so one message never gets huge. */
  private static final int MAX_BATCH_BYTES = 1 << 20;

  private final ConcurrentLinkedQueue<WorkerFrame> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile ClientCallStreamObserver<WorkerBatch> out;
  private volatile boolean closed;

  /** Binds the request stream; frames sent before are kept until then. */
  void bind(ClientCallStreamObserver<WorkerBatch> stream) {
    this.out = stream;
    stream.setOnReadyHandler(this::drain);
  }

  /** Enqueues a frame and flushes if no other thread is flushing. Dropped once closed. */
  void send(WorkerFrame frame) {
    if (closed) {
      return;
    }
    queue.add(frame);
    drain();
  }

  private void drain() {
    ClientCallStreamObserver<WorkerBatch> o = out;
    // Loop: a frame enqueued by a thread that saw the flag still set must not be stranded.
    while (o != null && !queue.isEmpty() && draining.compareAndSet(false, true)) {
      try {
        while (!closed && o.isReady()) {
          WorkerBatch batch = nextBatch();
          if (batch == null) {
            break;
          }
          o.onNext(batch);
        }
      } catch (RuntimeException e) {
        closed = true; // the stream is gone; the worker ends when it sees the stream end
        queue.clear();
      } finally {
        draining.set(false);
      }
      if (closed || !o.isReady()) {
        return;
      }
    }
  }

  private WorkerBatch nextBatch() {
    WorkerFrame first = queue.poll();
    if (first == null) {
      return null;
    }
    WorkerBatch.Builder b = WorkerBatch.newBuilder().addFrames(first);
    int bytes = first.getSerializedSize();
    WorkerFrame f;
    while (bytes < MAX_BATCH_BYTES && (f = queue.poll()) != null) {
      b.addFrames(f);
      bytes += f.getSerializedSize();
    }
    return b.build();
  }

  /** Flushes what is queued (as far as the transport lets it) and ends the stream. Idempotent. */
  void complete() {
    drain();
    ClientCallStreamObserver<WorkerBatch> o = out;
    if (!closed && o != null) {
      closed = true;
      try {
        o.onCompleted();
      } catch (RuntimeException ignored) {
        // already cancelled by the gateway
      }
    }
  }
}
