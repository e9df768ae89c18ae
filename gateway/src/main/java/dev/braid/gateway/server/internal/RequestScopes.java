package dev.braid.gateway.server.internal;

import dev.braid.model.Clock;
import dev.braid.model.Deadline;
import dev.braid.model.Scope;
import java.time.Duration;

/** Scopes that own an RPC's deadline on the server (a file of its own: gRPC has a Deadline too). */
final class RequestScopes {
  private RequestScopes() {}

  /**
   * A root scope whose deadline is {@code left} from now on {@code clock} (null: none); it arms its
   * own timer. Close it when the RPC ends.
   */
  static Scope after(Duration left, Clock clock) {
    return left == null ? Scope.root() : Scope.root(Deadline.after(left, clock));
  }
}
