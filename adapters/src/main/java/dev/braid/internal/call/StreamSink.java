package dev.braid.internal.call;

import com.fasterxml.jackson.databind.JsonNode;

/** Receives a streaming call's items, in order, on the connection's inbound thread. */
public interface StreamSink {
  void onItem(JsonNode item);
}
