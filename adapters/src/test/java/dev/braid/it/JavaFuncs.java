package dev.braid.it;

import dev.braid.api.CallContext;
import dev.braid.api.CurrentCall;
import dev.braid.conformance.ConfFuncs;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * In-process Java functions the integration tests call as {@code java:dev.braid.it.JavaFuncs#...}.
 */
public final class JavaFuncs {
  private JavaFuncs() {}

  public record Order(String sku, int qty) {}

  static void mark(String folder, String name, String text) {
    ConfFuncs.mark(folder, name, text);
  }

  /** Reads the context through the static accessor, as a helper without the parameter would. */
  public static String whoAmI() {
    CallContext ctx = CurrentCall.context();
    return ctx == null ? "outside a call" : ctx.function();
  }

  public static int add(int a, int b) {
    return a + b;
  }

  public static Map<String, Object> echo(Map<String, Object> value) {
    return value;
  }

  public static String orderLabel(Order order) {
    return order.qty() + " x " + order.sku();
  }

  public static CompletableFuture<String> later(String text) {
    return CompletableFuture.supplyAsync(() -> text.toUpperCase(Locale.ROOT));
  }

  public static int failWithCause(String message) {
    try {
      Integer.parseInt("not a number");
      return 0;
    } catch (NumberFormatException e) {
      throw new IllegalStateException(message, e);
    }
  }

  /** Blocks in Thread.sleep: cancellation arrives as an interrupt. */
  public static String sleepMarked(String folder, double seconds, CallContext ctx)
      throws InterruptedException {
    mark(folder, "java-started", "");
    try {
      Thread.sleep((long) (seconds * 1000));
      return "finished";
    } catch (InterruptedException e) {
      mark(
          folder,
          "java-cancelled",
          ctx.cancelReason() == null ? "" : ctx.cancelReason().wireName());
      throw e;
    }
  }

  /** Returns a future that never completes on its own: cancelling it is the only way out. */
  public static CompletableFuture<String> pending(String folder, CallContext ctx) {
    CompletableFuture<String> f = new CompletableFuture<>();
    f.whenComplete(
        (v, e) -> {
          if (f.isCancelled()) {
            mark(
                folder,
                "java-cancelled",
                ctx.cancelReason() == null ? "" : ctx.cancelReason().wireName());
          }
        });
    return f;
  }

  /** Ignores interrupts entirely for {@code seconds}. */
  public static String stubborn(double seconds) {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
    return "done";
  }

  public static Stream<Integer> count(int n) {
    return IntStream.range(0, n).boxed();
  }

  public static List<Integer> list(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  /** Java calls Python as a child of its own call. */
  public static Object callPython(String ref, List<Object> args, CallContext ctx) throws Exception {
    return ctx.call(ref, args.toArray()).get();
  }

  /** Heartbeats {@code n} times, 100 ms apart. */
  public static int beats(int n, CallContext ctx) throws InterruptedException {
    for (int i = 1; i <= n; i++) {
      ctx.heartbeat(Map.of("done", i));
      Thread.sleep(100);
    }
    return n;
  }

  /** A Flow.Publisher result: streamed with the subscriber's demand. */
  public static Flow.Publisher<Integer> published(int n) {
    SubmissionPublisher<Integer> p = new SubmissionPublisher<>();
    CompletableFuture.runAsync(
        () -> {
          // a SubmissionPublisher drops what is submitted before anyone subscribes
          while (p.getNumberOfSubscribers() == 0) {
            Thread.onSpinWait();
          }
          for (int i = 0; i < n; i++) {
            p.submit(i);
          }
          p.close();
        });
    return p;
  }

  /** A publisher whose second item is NaN: the stream must end NotSerializable, not hang. */
  public static Flow.Publisher<Double> publishedNan() {
    SubmissionPublisher<Double> p = new SubmissionPublisher<>();
    CompletableFuture.runAsync(
        () -> {
          while (p.getNumberOfSubscribers() == 0) {
            Thread.onSpinWait();
          }
          p.submit(1.0);
          p.submit(Double.NaN);
          p.close();
        });
    return p;
  }

  /** A future of NaN, called as a stream: its one item must end the stream NotSerializable. */
  public static CompletableFuture<Double> laterNan() {
    return CompletableFuture.supplyAsync(() -> Double.NaN);
  }
}
