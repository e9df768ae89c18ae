package dev.braid.internal.hub;

import dev.braid.proto.worker.v1.NestedCall;

/** Starts the nested calls a worker asks for; see {@code NestedCallRouter}. */
@FunctionalInterface
public interface NestedHandler {
  /** Called on the connection's inbound thread; must not block. */
  void onNestedCall(WorkerConnection from, NestedCall call);
}
