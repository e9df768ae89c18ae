package dev.braid.gateway.engine;

import dev.braid.model.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Virtual time for the engine: real monotonic time plus an offset. A {@link #sleep} records the
 * wait, moves the offset forward by it and completes at once, so that retry waits take no real time
 * while deadlines still see them pass. Timers (scopes' deadlines) run after their delay in real
 * time, on a shared daemon thread. Thread-safe.
 */
final class FakeClock implements Clock {
  private static final Clock REAL =
      Clock.system(
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "fake-clock-timer");
                t.setDaemon(true);
                return t;
              }));

  private final AtomicLong offset = new AtomicLong();
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  @Override
  public long nanoTime() {
    return System.nanoTime() + offset.get();
  }

  @Override
  public Timer schedule(Duration delay, Runnable task) {
    return REAL.schedule(delay, task);
  }

  @Override
  public CompletableFuture<Void> sleep(Duration wait) {
    sleeps.add(wait);
    offset.addAndGet(wait.toNanos());
    return CompletableFuture.completedFuture(null);
  }

  /** Moves time forward without anyone sleeping. */
  void advance(Duration d) {
    offset.addAndGet(d.toNanos());
  }

  /** Every wait asked for, in order. */
  List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }
}
