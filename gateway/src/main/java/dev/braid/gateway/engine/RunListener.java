package dev.braid.gateway.engine;

/**
 * Receives the events of a run. Called on the engine's run thread, one event at a time, in order:
 * implementations must be quick and must not block (buffer, and write elsewhere if needed). An
 * exception thrown by {@link #onEvent} is logged and otherwise ignored: it does not change the run.
 */
@FunctionalInterface
public interface RunListener {
  void onEvent(RunEvent event);

  RunListener NONE = e -> {};

  /** Both listeners, this one first. */
  default RunListener andThen(RunListener next) {
    return e -> {
      onEvent(e);
      next.onEvent(e);
    };
  }
}
