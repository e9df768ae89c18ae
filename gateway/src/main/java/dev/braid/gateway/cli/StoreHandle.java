package dev.braid.gateway.cli;

import dev.braid.gateway.store.RunStore;

/**
 * An open {@link RunStore} closed exactly once, by whichever comes first: the command when it ends,
 * or the Ctrl-C hook once the cancelled run is recorded (the JVM may halt before the command's own
 * close runs). Thread-safe; {@link #close} returns only when the store's writes are durable.
 */
final class StoreHandle implements AutoCloseable {
  private final RunStore store;
  private SignalSocket signals; // guarded by this
  private SignalSocket runSignals; // guarded by this
  private boolean closed; // guarded by this

  StoreHandle(RunStore store) {
    this.store = store;
  }

  RunStore store() {
    return store;
  }

  /**
   * Takes signals that {@code braid signal} sends from other processes while this one holds the
   * SQLite store at {@code location} (nothing for other stores: see {@link SignalSocket}).
   */
  synchronized void listenForSignals(String location) {
    if (!closed && signals == null) {
      signals = SignalSocket.listen(SignalSocket.pathFor(location), store);
    }
  }

  /**
   * Takes signals for run {@code runId} that {@code braid signal} sends from other processes, when
   * the store at {@code location} is a server store (PostgreSQL: no single holder, so one socket
   * per run, see {@link RunSockets}).
   */
  synchronized void listenForRun(String location, String runId) {
    boolean server = location.contains("://");
    if (!closed && runSignals == null && server) {
      runSignals = SignalSocket.listen(RunSockets.forRun(location, runId), store);
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      if (signals != null) {
        signals.close();
      }
      if (runSignals != null) {
        runSignals.close();
      }
      store.close();
    }
  }
}
