package dev.braid.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/** The two measuring loops every system under test goes through. */
final class Harness {
  /** No single wait in a measurement may take longer than this; a hang fails the section. */
  static final Duration STALL = Duration.ofSeconds(10);

  private Harness() {}

  /** Something to time once; may throw. */
  @FunctionalInterface
  interface Op {
    void run() throws Exception;
  }

  /**
   * Runs {@code op} {@code warmup} times untimed, then {@code n} times one after the other and
   * returns each run's duration in nanoseconds.
   */
  static long[] sequential(int warmup, int n, Op op) throws Exception {
    for (int i = 0; i < warmup; i++) {
      op.run();
    }
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      op.run();
      out[i] = System.nanoTime() - t0;
    }
    return out;
  }

  /**
   * Keeps {@code window} calls in flight from the current thread for {@code warmup + measure} and
   * counts the calls that complete successfully during {@code measure} (failures are counted
   * apart). A new call starts as soon as one completes. Returns after every call started has
   * completed.
   *
   * @param call starts one call; its future may complete on any thread
   * @throws TimeoutException if no call completes for {@link #STALL}
   */
  static Throughput pipelined(
      int window, Duration warmup, Duration measure, Supplier<CompletableFuture<?>> call)
      throws InterruptedException, TimeoutException {
    Semaphore permits = new Semaphore(window);
    LongAdder completed = new LongAdder();
    LongAdder errors = new LongAdder();
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long end = measureFrom + measure.toNanos();
    long completedAtStart = -1;
    long errorsAtStart = 0;
    long t0 = 0;
    long now;
    while ((now = System.nanoTime()) < end) {
      if (completedAtStart < 0 && now >= measureFrom) {
        t0 = now;
        completedAtStart = completed.sum();
        errorsAtStart = errors.sum();
      }
      acquire(permits, 1);
      call.get()
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  errors.increment();
                }
                completed.increment();
                permits.release();
              });
    }
    long failed = errors.sum() - errorsAtStart;
    long calls = completed.sum() - completedAtStart - failed; // only successes count
    double seconds = (System.nanoTime() - t0) / 1e9;
    acquire(permits, window); // drain: nothing of this run may leak into the next
    return new Throughput(window, calls, failed, seconds);
  }

  private static void acquire(Semaphore permits, int n)
      throws InterruptedException, TimeoutException {
    if (!permits.tryAcquire(n, STALL.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new TimeoutException("no call completed within " + STALL.toSeconds() + "s");
    }
  }
}
