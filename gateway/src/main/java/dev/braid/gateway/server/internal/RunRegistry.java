package dev.braid.gateway.server.internal;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runs a server knows: every run in progress (bounded by the run admission), and the most
 * recently finished ones, kept for {@code GetRun} and {@code WatchRun} until one of the bounds is
 * reached — a count, the bytes of their kept events, an age. The oldest finished run goes first.
 *
 * <p>Thread-safe.
 */
public final class RunRegistry {
  private static final SecureRandom IDS = new SecureRandom();

  private final Map<String, RunRecord> runs = new ConcurrentHashMap<>();
  private final int eventWindow;
  private final long eventBytes;
  private final int maxFinished;
  private final long finishedBytesLimit;
  private final Duration ttl;
  private final ServerLimits limits;
  // guarded by this
  private final ArrayDeque<Kept> finished = new ArrayDeque<>();
  private long finishedBytes;

  private record Kept(RunRecord run, long bytes, Instant at) {}

  public RunRegistry(
      int eventWindow, long eventBytes, int maxFinished, long finishedBytesLimit, Duration ttl) {
    this(eventWindow, eventBytes, maxFinished, finishedBytesLimit, ttl, null);
  }

  /**
   * @param limits a run whose result does not fit in one message of these limits fails with {@code
   *     RESOURCE_EXHAUSTED} (null: results are not bounded here)
   */
  public RunRegistry(
      int eventWindow,
      long eventBytes,
      int maxFinished,
      long finishedBytesLimit,
      Duration ttl,
      ServerLimits limits) {
    this.limits = limits;
    this.eventWindow = eventWindow;
    this.eventBytes = eventBytes;
    this.maxFinished = maxFinished;
    this.finishedBytesLimit = finishedBytesLimit;
    this.ttl = ttl;
  }

  /** A new run record with an unguessable id ({@code run-} and 32 hex digits). */
  public RunRecord create(String workflow) {
    byte[] b = new byte[16];
    IDS.nextBytes(b);
    return create("run-" + HexFormat.of().formatHex(b), workflow);
  }

  /** A new run record for a run whose id the store gave. */
  public RunRecord create(String id, String workflow) {
    RunRecord r = new RunRecord(id, workflow, newLog(), limits);
    runs.put(r.id(), r);
    return r;
  }

  /** Forgets a run that did not start. */
  void remove(RunRecord r) {
    runs.remove(r.id(), r);
  }

  private EventLog newLog() {
    return new EventLog(eventWindow, eventBytes);
  }

  /** The run, or null if unknown or no longer kept. */
  public RunRecord get(String id) {
    return runs.get(id);
  }

  /** Every run kept: in progress, and finished ones not yet evicted. */
  public List<RunRecord> all() {
    return List.copyOf(runs.values());
  }

  /** Runs still in progress. */
  public List<RunRecord> live() {
    return runs.values().stream().filter(r -> !r.isFinished()).toList();
  }

  public int size() {
    return runs.size();
  }

  public synchronized long finishedBytes() {
    return finishedBytes;
  }

  /** Moves a run that has finished into the bounded set of finished runs. */
  public void finished(RunRecord r) {
    long bytes = r.log().bytes();
    synchronized (this) {
      finished.add(new Kept(r, bytes, Instant.now()));
      finishedBytes += bytes;
    }
    evict();
  }

  /** Drops the finished runs beyond the bounds; called after each finish and periodically. */
  public void evict() {
    Instant oldest = Instant.now().minus(ttl);
    while (true) {
      Kept k;
      synchronized (this) {
        k = finished.peekFirst();
        if (k == null
            || (finished.size() <= maxFinished
                && finishedBytes <= finishedBytesLimit
                && k.at().isAfter(oldest))) {
          return;
        }
        finished.removeFirst();
        finishedBytes -= k.bytes();
      }
      runs.remove(k.run().id());
    }
  }
}
