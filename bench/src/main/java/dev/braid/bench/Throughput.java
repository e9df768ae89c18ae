package dev.braid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Completed calls per second over a measured interval, with {@code window} calls kept in flight.
 *
 * @param calls calls that completed successfully during the interval
 * @param errors calls that completed exceptionally during the interval (not in {@code calls})
 */
record Throughput(int window, long calls, long errors, double seconds) {

  double perSecond() {
    return calls / seconds;
  }

  ObjectNode toJson(ObjectMapper json) {
    return json.createObjectNode()
        .put("window", window)
        .put("calls", calls)
        .put("errors", errors)
        .put("seconds", seconds)
        .put("calls_per_s", perSecond());
  }
}
