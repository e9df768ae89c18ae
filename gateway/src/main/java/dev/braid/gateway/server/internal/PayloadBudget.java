package dev.braid.gateway.server.internal;

import io.grpc.Status;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The payload bytes held for in-flight requests (calls, runs, scripts), all together, against one
 * limit ({@code --max-inflight-bytes}). A request reserves its own size, and for a script the most
 * output it may produce, before it waits for a slot; a request that would take the total past the
 * limit is shed at once with {@code RESOURCE_EXHAUSTED}. Results on their way out are added with
 * {@link Hold#grow} without a check (they exist already; refusing them would waste the work), so
 * while large results are being sent, new requests are shed.
 *
 * <p>Thread-safe: one CAS on a shared counter per reservation and per result, nothing allocated per
 * call but the {@link Hold} itself.
 */
public final class PayloadBudget {
  private final long limit;
  private final AtomicLong used = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();
  private final AtomicLong shed = new AtomicLong();

  public PayloadBudget(long limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit < 1: " + limit);
    }
    this.limit = limit;
  }

  /**
   * Bytes reserved by one request; {@link #close()} gives them all back. Its methods take the
   * hold's own lock, which only the threads of that one request contend for.
   */
  public final class Hold implements AutoCloseable {
    // guarded by this
    private long bytes;
    private boolean closed;

    private Hold(long bytes) {
      this.bytes = bytes;
    }

    /** Adds {@code n} bytes (a result being sent) without a check; undo with {@link #shrink}. */
    public synchronized void grow(long n) {
      if (closed) {
        return;
      }
      bytes += n;
      peak.accumulateAndGet(used.addAndGet(n), Math::max);
    }

    /** Gives back up to {@code n} bytes added by {@link #grow}. */
    public synchronized void shrink(long n) {
      if (closed) {
        return;
      }
      long m = Math.min(n, bytes);
      bytes -= m;
      used.addAndGet(-m);
    }

    /** Gives back everything. Idempotent. */
    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      used.addAndGet(-bytes);
      bytes = 0;
    }
  }

  /**
   * Reserves {@code bytes} for a request of {@code kind}, or fails with {@code RESOURCE_EXHAUSTED}
   * naming the limit and its option.
   */
  public Hold reserve(long bytes, String kind) {
    while (true) {
      long u = used.get();
      if (u + bytes > limit) {
        shed.incrementAndGet();
        throw Status.RESOURCE_EXHAUSTED
            .withDescription(
                "overloaded: "
                    + u
                    + " bytes of payload are held for requests in flight and this "
                    + kind
                    + " needs "
                    + bytes
                    + " more (limit --max-inflight-bytes "
                    + limit
                    + "); retry later")
            .asRuntimeException();
      }
      if (used.compareAndSet(u, u + bytes)) {
        peak.accumulateAndGet(u + bytes, Math::max);
        return new Hold(bytes);
      }
    }
  }

  public long limit() {
    return limit;
  }

  public long used() {
    return used.get();
  }

  /** The most bytes ever held at once. */
  public long peak() {
    return peak.get();
  }

  /** How many requests were shed for lack of room. */
  public long shed() {
    return shed.get();
  }
}
