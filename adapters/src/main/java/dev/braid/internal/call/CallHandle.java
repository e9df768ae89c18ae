package dev.braid.internal.call;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.Cleanup;
import dev.braid.model.CancelReason;
import dev.braid.model.Scope;
import java.util.concurrent.CompletableFuture;

/** What a {@code RemoteCall} controls: one execution, or the attempts of a retried call. */
public interface CallHandle {
  Scope scope();

  CompletableFuture<Cleanup> cleanup();

  JsonNode lastHeartbeat();

  /** Cancels with {@code reason} (sticky); true if this cancel took effect. */
  boolean cancel(CancelReason reason);
}
