package dev.braid.internal.worker;

import dev.braid.api.BraidConfig;
import dev.braid.api.WorkerInfo;
import dev.braid.internal.hub.NestedHandler;
import dev.braid.internal.hub.WorkerConnection;
import dev.braid.model.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every remote worker pool of a gateway, one {@link RemotePool} per language and pool name, made on
 * first use (a worker arriving, or a call naming the pool). Only the pools the gateway holds a
 * token for exist. Thread-safe.
 */
public final class RemotePools {
  private final Set<String> names;
  private final BraidConfig config;
  private final Clock clock;
  private final NestedHandler nested;
  private final ConcurrentHashMap<String, RemotePool> pools = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public RemotePools(Set<String> names, BraidConfig config, Clock clock, NestedHandler nested) {
    this.names = Set.copyOf(names);
    this.config = config;
    this.clock = clock;
    this.nested = nested;
  }

  /** The pool names this gateway accepts workers for. */
  public Set<String> names() {
    return names;
  }

  /**
   * The pool of {@code language} workers named {@code pool}.
   *
   * @throws IllegalArgumentException when the gateway holds no token for {@code pool}
   */
  public RemotePool pool(String language, String pool) {
    if (!names.contains(pool)) {
      throw new IllegalArgumentException(
          "no worker pool '"
              + pool
              + "': this gateway accepts remote workers for "
              + (names.isEmpty() ? "no pool" : "the pools " + names.stream().sorted().toList()));
    }
    return pools.computeIfAbsent(
        language + "@" + pool, k -> new RemotePool(language, pool, config, clock, nested));
  }

  /** An admitted worker's connection (its Hello's language and the pool it proved). */
  public void arrived(String pool, WorkerConnection conn) {
    if (closed) {
      conn.close("braid is shutting down");
      return;
    }
    pool(conn.hello().getLanguage(), pool).arrived(conn);
  }

  /** The pools made so far (a worker arrived, or a call named them). */
  public List<RemotePool> pools() {
    return List.copyOf(pools.values());
  }

  public List<WorkerInfo> snapshot() {
    List<WorkerInfo> all = new ArrayList<>();
    pools.values().forEach(p -> all.addAll(p.snapshot()));
    return all;
  }

  /** Closes every pool in parallel, so their grace periods do not add up. */
  public void close() {
    closed = true;
    List<Thread> stoppers = new ArrayList<>();
    for (RemotePool p : pools.values()) {
      Thread t = new Thread(p::close, "braid-stop-" + p.language() + "@" + p.pool());
      t.start();
      stoppers.add(t);
    }
    for (Thread t : stoppers) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
