package dev.braid.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Values that must never reach the log as they are: the secrets of the workflow runs in progress.
 * The workers' stdout and stderr lines, which the gateway copies into its log, are masked with
 * {@link #mask} first, so a function that prints its secret shows {@code ***} there.
 *
 * <p>Process-wide, because a worker process serves every run: a line cannot be told apart by run.
 * Thread-safe; {@link #mask} reads an immutable snapshot without locking.
 */
public final class LogMasks {
  /** What a masked value is replaced with. */
  public static final String MASK = "***";

  private static final Object LOCK = new Object();
  // guarded by LOCK: how many registrations hold each value
  private static final Map<String, Integer> HELD = new HashMap<>();
  // longest first, so a value containing another is masked whole
  private static volatile List<String> snapshot = List.of();

  private LogMasks() {}

  /**
   * Masks {@code values} (empty strings ignored) until the returned handle is closed; closing twice
   * has no further effect.
   */
  public static AutoCloseable register(Collection<String> values) {
    List<String> mine = values.stream().filter(v -> v != null && !v.isEmpty()).distinct().toList();
    if (mine.isEmpty()) {
      return () -> {};
    }
    synchronized (LOCK) {
      mine.forEach(v -> HELD.merge(v, 1, Integer::sum));
      publish();
    }
    boolean[] closed = {false};
    return () -> {
      synchronized (LOCK) {
        if (closed[0]) {
          return;
        }
        closed[0] = true;
        mine.forEach(v -> HELD.computeIfPresent(v, (k, n) -> n == 1 ? null : n - 1));
        publish();
      }
    };
  }

  private static void publish() {
    List<String> all = new ArrayList<>(HELD.keySet());
    all.sort(Comparator.comparingInt(String::length).reversed());
    snapshot = List.copyOf(all);
  }

  /** {@code line} with every registered value replaced by {@value #MASK}. */
  public static String mask(String line) {
    List<String> values = snapshot;
    String out = line;
    for (String v : values) {
      if (out.contains(v)) {
        out = out.replace(v, MASK);
      }
    }
    return out;
  }
}
