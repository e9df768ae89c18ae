package dev.braid.gateway.engine;

import dev.braid.api.CallContext;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.IntStream;

/**
 * In-process Java fixture functions for {@link ReplayTest}: each counts its calls and the attempt
 * numbers it saw per key, and a key listed in {@link #BLOCKING} never answers (the run is "killed"
 * while it is in flight). Static state: cleared by the test before each case.
 */
public final class Replays {
  static final Map<String, List<Integer>> ATTEMPTS = new ConcurrentHashMap<>();
  static final Map<String, List<String>> KEYS = new ConcurrentHashMap<>();
  static final Set<String> BLOCKING = ConcurrentHashMap.newKeySet();
  static final BlockingQueue<String> ARRIVED = new LinkedBlockingQueue<>();

  private Replays() {}

  static void reset() {
    ATTEMPTS.clear();
    KEYS.clear();
    BLOCKING.clear();
    ARRIVED.clear();
  }

  /** How many times {@code key} was called. */
  static int calls(String key) {
    return ATTEMPTS.getOrDefault(key, List.of()).size();
  }

  private static void seen(String key, CallContext ctx) {
    ATTEMPTS.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(ctx.attempt());
    KEYS.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>())
        .add(ctx.idempotencyKey().orElse("(none)"));
  }

  /** {@code "v:" + key}; never answers while {@code key} is blocking. */
  public static CompletableFuture<String> step(String key, CallContext ctx) {
    seen(key, ctx);
    if (BLOCKING.contains(key)) {
      ARRIVED.add(key);
      return new CompletableFuture<>();
    }
    return CompletableFuture.completedFuture("v:" + key);
  }

  /** Fails its first call for {@code key}; later calls are {@link #step}'s. */
  public static CompletableFuture<String> failOnce(String key, CallContext ctx) {
    if (calls(key) == 0) {
      seen(key, ctx);
      throw new IllegalStateException("first call of " + key + " fails");
    }
    return step(key, ctx);
  }

  /** Always fails. */
  public static String boom(String key, CallContext ctx) {
    seen(key, ctx);
    throw new IllegalStateException("boom " + key);
  }

  /** The numbers 0..n-1, as a stream. */
  public static Iterator<Integer> numbers(String key, int n, CallContext ctx) {
    seen(key, ctx);
    return IntStream.range(0, n).iterator();
  }
}
