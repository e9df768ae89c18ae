package dev.braid.internal.call;

import com.google.protobuf.ByteString;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.proto.worker.v1.Code;
import dev.braid.proto.worker.v1.Payload;
import java.nio.charset.StandardCharsets;

/** Conversions between the model's failure record and the wire's. */
public final class Protos {
  private Protos() {}

  public static Failure toModel(dev.braid.proto.worker.v1.Failure f) {
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

  public static dev.braid.proto.worker.v1.Failure toProto(Failure f) {
    return toProto(f, 0);
  }

  private static dev.braid.proto.worker.v1.Failure toProto(Failure f, int depth) {
    dev.braid.proto.worker.v1.Failure.Builder b =
        dev.braid.proto.worker.v1.Failure.newBuilder()
            .setCode(Code.valueOf(f.code().name()))
            .setType(f.type())
            .setMessage(f.message())
            .setLanguage(f.language())
            .setStack(f.stack())
            .setRetryable(f.retryable());
    if (f.reason() != null) {
      b.setReason(f.reason());
    }
    if (f.detailsJson() != null) {
      b.setDetails(json(f.detailsJson().getBytes(StandardCharsets.UTF_8)));
    }
    if (f.cause() != null && depth < 32) {
      b.setCause(toProto(f.cause(), depth + 1));
    }
    return b.build();
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

  public static Payload json(byte[] bytes) {
    return Payload.newBuilder().setEncoding("json").setData(ByteString.copyFrom(bytes)).build();
  }
}
