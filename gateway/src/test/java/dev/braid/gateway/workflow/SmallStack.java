package dev.braid.gateway.workflow;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs code on a thread with the stack the launcher gives the JVM ({@code -Xss512k}), so that a
 * test sees the {@link StackOverflowError} a user would. The test threads' own stacks are larger.
 */
public final class SmallStack {
  /** The launcher's {@code -Xss}. */
  public static final long STACK_BYTES = 512 * 1024;

  private SmallStack() {}

  /**
   * The result of {@code work}, run on a 512 KiB stack; what it throws is rethrown (an Error as is,
   * so a test fails on a {@code StackOverflowError}), and a run past {@code max} fails.
   */
  public static <T> T call(Duration max, Callable<T> work) throws Exception {
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t =
        new Thread(
            null,
            () -> {
              try {
                result.set(work.call());
              } catch (Throwable e) {
                failure.set(e);
              }
            },
            "small-stack",
            STACK_BYTES);
    t.setDaemon(true);
    t.start();
    t.join(max.toMillis());
    if (t.isAlive()) {
      t.interrupt();
      throw new AssertionError("still running after " + max);
    }
    Throwable e = failure.get();
    if (e instanceof Exception x) {
      throw x;
    }
    if (e instanceof Error x) {
      throw x;
    }
    return result.get();
  }
}
