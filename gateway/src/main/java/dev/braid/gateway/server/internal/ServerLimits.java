package dev.braid.gateway.server.internal;

import dev.braid.gateway.server.ScriptCeilings;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The limits on what one request may ask for and send back: the message limit (inbound and
 * outbound, {@code --max-message-bytes}), the script ceilings, and the budget of payload bytes held
 * for all requests in flight. Immutable apart from the budget, which is thread-safe.
 *
 * @param maxMessageBytes the largest message received or sent
 * @param scripts the most an ExecuteScript request may ask for
 * @param budget the payload bytes held for requests in flight
 */
public record ServerLimits(int maxMessageBytes, ScriptCeilings scripts, PayloadBudget budget) {
  /**
   * Room left in a message for the fields around a JSON value (sequence numbers, run ids, event
   * fields): a value may take the rest.
   */
  static final int ENVELOPE_BYTES = 4096;

  /** The largest JSON value (result, item) that fits in one outgoing message. */
  public int maxValueBytes() {
    return Math.max(maxMessageBytes / 2, maxMessageBytes - ENVELOPE_BYTES);
  }

  /**
   * The size of {@code json} in UTF-8, without copying it. Counted here because protobuf's own
   * counter is internal and Guava is no declared dependency; a surrogate pair counts 4 bytes.
   */
  static int wireSize(String json) {
    long n = 0;
    for (int i = 0, len = json.length(); i < len; i++) {
      char c = json.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
    }
    return (int) Math.min(n, Integer.MAX_VALUE);
  }

  /** Whether a JSON value of that text fits in one outgoing message. */
  boolean fits(String json) {
    return wireSize(json) <= maxValueBytes();
  }

  /**
   * {@code RESOURCE_EXHAUSTED}: {@code what} (e.g. "the result") does not fit in one message; says
   * the size, the limit and the option that sets it.
   */
  StatusRuntimeException tooLarge(String what, String json) {
    return Status.RESOURCE_EXHAUSTED
        .withDescription(tooLargeMessage(what, json))
        .asRuntimeException();
  }

  String tooLargeMessage(String what, String json) {
    return what
        + " is "
        + wireSize(json)
        + " bytes of JSON, more than the server sends in one message ("
        + maxValueBytes()
        + " bytes of value within --max-message-bytes "
        + maxMessageBytes
        + "); return less, or ask the operator to raise --max-message-bytes";
  }
}
