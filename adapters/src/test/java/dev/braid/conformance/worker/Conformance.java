package dev.braid.conformance.worker;

import dev.braid.api.CallContext;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.RemoteException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker-protocol conformance fixtures (proto/braid/worker/v1/conformance/), as the Java worker
 * runs them. python-worker/tests/fixtures/conformance.py and
 * node-worker/test/fixtures/conformance.mjs provide the same functions; a case names them in
 * snake_case, the Java runner maps the name to {@code Conformance#camelCase}.
 */
public final class Conformance {
  private static final AtomicInteger PRODUCED = new AtomicInteger();

  private Conformance() {}

  public static Object echo(Object x) {
    return x;
  }

  public static Map<String, Object> info(CallContext ctx) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("call_id", ctx.callId());
    m.put("function", ctx.function());
    m.put("attempt", ctx.attempt());
    m.put("has_deadline", ctx.deadline() != null);
    m.put("remaining_ms", ctx.deadline() == null ? null : ctx.remaining().toMillis() + 1);
    m.put("cancelled", ctx.isCancelled());
    return m;
  }

  public static Map<String, Object> idempotency(CallContext ctx) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("idempotency_key", ctx.idempotencyKey().orElse(null));
    m.put("attempt", ctx.attempt());
    return m;
  }

  public static Object failWithCause() {
    try {
      Integer.parseInt("missing");
      return null;
    } catch (NumberFormatException e) {
      throw new IllegalStateException("profile lookup failed", e);
    }
  }

  public static Object braidError() {
    throw new RemoteException(
        new Failure(
            FailureCode.RESOURCE_EXHAUSTED,
            "shop.OutOfStock",
            "out of stock",
            "java",
            "",
            null,
            true,
            "{\"sku\":\"A-1\"}",
            null));
  }

  /** Waits until cancelled; writes "<what was raised>:<the context's reason>" to marker. */
  public static Object waitForCancel(String marker, CallContext ctx)
      throws InterruptedException, IOException {
    ctx.heartbeat("started"); // the case knows the body runs
    try {
      Thread.sleep(TimeUnit.HOURS.toMillis(1));
      return null;
    } catch (InterruptedException e) {
      Files.writeString(Path.of(marker), "InterruptedException:" + reason(ctx));
      throw e;
    }
  }

  public static String swallowCancel(CallContext ctx) {
    ctx.heartbeat("started");
    try {
      Thread.sleep(TimeUnit.HOURS.toMillis(1));
      return "not cancelled";
    } catch (InterruptedException e) {
      return "swallowed " + reason(ctx);
    }
  }

  /** Keeps running {@code ms} after a cancel, then returns: a function that does not stop. */
  public static String ignoreCancel(long ms, CallContext ctx) {
    ctx.heartbeat("started");
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    long left;
    while ((left = end - System.nanoTime()) > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        // deliberately ignored: the case is about such functions
      }
    }
    return "ignored";
  }

  public static long pause(long ms) throws InterruptedException {
    Thread.sleep(ms);
    return ms;
  }

  /** 0 .. n-1, produced one at a time as the worker pulls them. */
  public static Iterator<Integer> numbers(int n) {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < n;
      }

      @Override
      public Integer next() {
        if (next >= n) {
          throw new NoSuchElementException();
        }
        PRODUCED.incrementAndGet();
        return next++;
      }
    };
  }

  /** How many items numbers() has produced in this process. */
  public static int produced() {
    return PRODUCED.get();
  }

  public static int beat(int n, CallContext ctx) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      ctx.heartbeat(Map.of("i", i));
    }
    Thread.sleep(300);
    return n;
  }

  public static double nan() {
    return Double.NaN;
  }

  public static String big(int n) {
    return "x".repeat(n);
  }

  private static String reason(CallContext ctx) {
    return ctx.cancelReason() == null ? "" : ctx.cancelReason().wireName();
  }
}
