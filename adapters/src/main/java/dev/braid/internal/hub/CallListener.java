package dev.braid.internal.hub;

import dev.braid.model.Scope;
import dev.braid.proto.worker.v1.Heartbeat;
import dev.braid.proto.worker.v1.Outcome;
import dev.braid.proto.worker.v1.StreamItem;

/**
 * Receives the frames of one call on a worker connection. Callbacks for one connection arrive on
 * gRPC's executor, serialized (in stream order); they must not block.
 */
public interface CallListener {
  void onItem(StreamItem item);

  /** The call's single outcome; the listener is unregistered before this runs. */
  void onOutcome(Outcome outcome);

  void onHeartbeat(Heartbeat heartbeat);

  /** The connection is gone before an outcome arrived. {@code why} is a readable sentence. */
  void onLost(String why);

  /** The call's scope, so that nested calls it makes become its children; null if none. */
  default Scope scope() {
    return null;
  }
}
