package dev.braid.conformance;

import dev.braid.api.CallContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** Conformance fixtures (Java, in-process). Same semantics as conf.py and conf.mjs. */
public final class ConfFuncs {
  private static final AtomicInteger PRODUCED = new AtomicInteger();

  private ConfFuncs() {}

  /** Writes a marker file atomically (write, then rename), so a reader never sees it half-done. */
  public static void mark(String folder, String name, String text) {
    try {
      Path tmp = Path.of(folder, name + ".tmp");
      Files.writeString(tmp, text);
      Files.move(tmp, Path.of(folder, name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String reason(CallContext ctx) {
    return ctx.cancelReason() == null ? "" : ctx.cancelReason().wireName();
  }

  public static Object echo(Object x) {
    return x;
  }

  public static Object fail(String message) {
    throw new IllegalStateException(message, new IllegalArgumentException("inner"));
  }

  public static String sleepMarked(String folder, double seconds, CallContext ctx)
      throws InterruptedException {
    mark(folder, "started", "");
    try {
      Thread.sleep((long) (seconds * 1000));
      mark(folder, "finished", "");
      return "finished";
    } catch (InterruptedException e) {
      mark(folder, "cancelled", reason(ctx));
      throw e;
    }
  }

  public static String slowCleanup(String folder, double seconds) throws InterruptedException {
    mark(folder, "started", "");
    try {
      Thread.sleep(60_000);
      return "finished";
    } catch (InterruptedException e) {
      long end = System.nanoTime() + (long) (seconds * 1e9);
      while (System.nanoTime() < end) {
        Thread.onSpinWait(); // cleanup that takes a while, immune to further interrupts
      }
      mark(folder, "cleaned", "");
      throw e;
    }
  }

  public static String ignoreCancel(String folder, double seconds) {
    mark(folder, "started", "");
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
    mark(folder, "finished", "");
    return "ignored";
  }

  /** Blocks its thread without ever looking at interrupts. */
  public static String block(double seconds) {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
    return "unblocked";
  }

  public static CompletableFuture<Object> sleepThen(double seconds, Object value) {
    return CompletableFuture.supplyAsync(
        () -> value,
        CompletableFuture.delayedExecutor((long) (seconds * 1000), TimeUnit.MILLISECONDS));
  }

  public static long pid() {
    return ProcessHandle.current().pid();
  }

  public static Stream<Integer> count(int n) {
    PRODUCED.set(0);
    return IntStream.range(0, n).peek(i -> PRODUCED.set(i + 1)).boxed();
  }

  public static int produced() {
    return PRODUCED.get();
  }

  public static Object callNested(String ref, Object arg, CallContext ctx) throws Exception {
    return ctx.call(ref, arg).get();
  }

  public static Object relayMarked(String folder, String ref, List<Object> args, CallContext ctx)
      throws Exception {
    mark(folder, "started", "");
    try {
      return ctx.call(ref, args.toArray()).get();
    } catch (Exception e) {
      // the interrupt may lose the race against the child's own cancellation outcome, so
      // ask the context rather than the exception type
      if (ctx.isCancelled()) {
        mark(folder, "cancelled", reason(ctx));
      }
      throw e;
    }
  }

  // -- the JSON rule: values that cannot be sent (same shapes in every language) --------------

  /** {"items": [{"price": 1}, {"price": BAD}]}: the bad value is always at $.items[1].price. */
  public static Object unjson(String kind) {
    Map<String, Object> second = new LinkedHashMap<>();
    Map<String, Object> root = Map.of("items", List.of(Map.of("price", 1), second));
    second.put("price", kind.equals("cycle") ? root : bad(kind));
    return root;
  }

  private static Object bad(String kind) {
    return switch (kind) {
      case "nan" -> Double.NaN;
      case "inf" -> Double.POSITIVE_INFINITY;
      case "neg_inf" -> Double.NEGATIVE_INFINITY;
      case "no_form" -> new Object(); // no properties: Jackson has no form for it
      case "bytes" -> new byte[] {0, 1};
      case "deep" -> {
        Object v = 0;
        for (int i = 0; i < 1001; i++) {
          List<Object> l = new ArrayList<>();
          l.add(v);
          v = l;
        }
        yield v;
      }
      default -> throw new IllegalArgumentException(kind);
    };
  }

  public static void nothing() {}

  public static String big(int n) {
    return "x".repeat(n);
  }

  public static Stream<Double> badStream() {
    return Stream.of(1.0, Double.NaN);
  }

  public static Object callNestedNan(String ref, CallContext ctx) throws Exception {
    return ctx.call(ref, Map.of("a", List.of(Double.NaN))).get();
  }

  /** Fails until the gateway's attempt number reaches {@code n}; then returns that number. */
  public static int failBeforeAttempt(int n, CallContext ctx) {
    if (ctx.attempt() < n) {
      throw new IllegalStateException("attempt " + ctx.attempt() + " of " + n);
    }
    return ctx.attempt();
  }

  /** Writes its idempotency key to attempt-N; fails until attempt {@code n}, then returns n. */
  public static int keyedAttempt(String folder, int n, CallContext ctx) {
    mark(folder, "attempt-" + ctx.attempt(), ctx.idempotencyKey().orElse(""));
    if (ctx.attempt() < n) {
      throw new IllegalStateException("attempt " + ctx.attempt() + " of " + n);
    }
    return ctx.attempt();
  }

  /** The value of secret {@code name} from the call's context; the error's message if not given. */
  public static String secretOf(String name, CallContext ctx) {
    try {
      return ctx.secret(name);
    } catch (java.util.NoSuchElementException e) {
      return "missing: " + e.getMessage();
    }
  }
}
