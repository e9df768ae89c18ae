package dev.braid.internal.call;

import com.google.protobuf.ByteString;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.proto.worker.v1.Code;
import dev.braid.proto.worker.v1.Payload;
import java.nio.charset.StandardCharsets;

/** Conversions between the model's failure record and the wire's. */
final class Protos {
  private Protos() {}

  static Failure toModel(dev.braid.proto.worker.v1.Failure f) {
    return toModel(f, 0);
  }

  private static Failure toModel(dev.braid.proto.worker.v1.Failure f, int depth) {
    Failure cause = f.hasCause() && depth < 32 ? toModel(f.getCause(), depth + 1) : null;
    String details =
        f.hasDetails() && !f.getDetails().getData().isEmpty()
            ? f.getDetails().getData().toString(StandardCharsets.UTF_8)
            : null;
    return new Failure(
        code(f.getCode()),
        f.getType(),
        f.getMessage(),
        f.getLanguage(),
        f.getStack(),
        cause,
        f.getRetryable(),
        details,
        f.getReason().isEmpty() ? null : f.getReason());
  }

  static FailureCode code(Code c) {
    return switch (c) {
      case CANCELLED -> FailureCode.CANCELLED;
      case DEADLINE_EXCEEDED -> FailureCode.DEADLINE_EXCEEDED;
      case UNAVAILABLE -> FailureCode.UNAVAILABLE;
      case RESOURCE_EXHAUSTED -> FailureCode.RESOURCE_EXHAUSTED;
      case INVALID_ARGUMENT -> FailureCode.INVALID_ARGUMENT;
      case APPLICATION -> FailureCode.APPLICATION;
      default -> FailureCode.INTERNAL;
    };
  }

  static Payload json(byte[] bytes) {
    return Payload.newBuilder().setEncoding("json").setData(ByteString.copyFrom(bytes)).build();
  }
}
