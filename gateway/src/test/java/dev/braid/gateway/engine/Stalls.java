package dev.braid.gateway.engine;

import dev.braid.api.CallContext;
import dev.braid.model.CancelReason;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * In-process Java fixture functions for {@link ManualClockRunTest}: a worker that never answers on
 * its own, and tells the test what it saw (its remaining time and why it was cancelled).
 */
public final class Stalls {
  /** What one call saw: its key, its remaining time on arrival, and its cancel reason later. */
  public record Seen(String key, Duration remaining, CompletableFuture<CancelReason> cancelled) {}

  static final BlockingQueue<Seen> SEEN = new LinkedBlockingQueue<>();

  private Stalls() {}

  /** Never completes by itself; completes cancelled when the gateway cancels the call. */
  public static CompletableFuture<String> hang(String key, CallContext ctx) {
    CompletableFuture<CancelReason> why = new CompletableFuture<>();
    ctx.onCancel(why::complete);
    SEEN.add(new Seen(key, ctx.remaining(), why));
    return new CompletableFuture<>();
  }
}
