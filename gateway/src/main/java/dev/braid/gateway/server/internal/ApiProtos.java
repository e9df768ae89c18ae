package dev.braid.gateway.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.model.FailureCode;
import dev.braid.proto.api.v1.Code;
import dev.braid.proto.api.v1.EventStatus;
import dev.braid.proto.api.v1.EventType;
import dev.braid.proto.api.v1.Failure;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;

/**
 * Conversions between Braid's model and the messages of {@code braid.api.v1}, and the mapping of
 * failure records onto gRPC statuses (docs/api.md, "Status codes").
 */
public final class ApiProtos {
  /** The binary trailer that carries the failure record of a non-OK status. */
  public static final Metadata.Key<Failure> FAILURE_TRAILER =
      Metadata.Key.of(
          "braid-failure-bin", ProtoUtils.metadataMarshaller(Failure.getDefaultInstance()));

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_CAUSE_DEPTH = 32;

  private ApiProtos() {}

  public static Failure failure(dev.braid.model.Failure f) {
    return failure(f, 0);
  }

  private static Failure failure(dev.braid.model.Failure f, int depth) {
    Failure.Builder b =
        Failure.newBuilder()
            .setCode(code(f.code()))
            .setType(f.type())
            .setMessage(f.message())
            .setLanguage(f.language())
            .setStack(f.stack())
            .setRetryable(f.retryable());
    if (f.detailsJson() != null) {
      b.setDetailsJson(f.detailsJson());
    }
    if (f.reason() != null) {
      b.setReason(f.reason());
    }
    if (f.cause() != null && depth < MAX_CAUSE_DEPTH) {
      b.setCause(failure(f.cause(), depth + 1));
    }
    return b.build();
  }

  static Code code(FailureCode c) {
    return switch (c) {
      case CANCELLED -> Code.CANCELLED;
      case DEADLINE_EXCEEDED -> Code.DEADLINE_EXCEEDED;
      case UNAVAILABLE -> Code.UNAVAILABLE;
      case RESOURCE_EXHAUSTED -> Code.RESOURCE_EXHAUSTED;
      case INVALID_ARGUMENT -> Code.INVALID_ARGUMENT;
      case APPLICATION -> Code.APPLICATION;
      case INTERNAL -> Code.INTERNAL;
    };
  }

  /**
   * The gRPC status for a failure that is not an application failure, with the record in the {@code
   * braid-failure-bin} trailer. {@code CANCELLED} with reason {@code shutdown} becomes {@code
   * UNAVAILABLE}: the server went away, and another may take the request.
   */
  public static StatusRuntimeException status(dev.braid.model.Failure f) {
    Status s =
        switch (f.code()) {
          case CANCELLED -> "shutdown".equals(f.reason()) ? Status.UNAVAILABLE : Status.CANCELLED;
          case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
          case UNAVAILABLE -> Status.UNAVAILABLE;
          case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
          case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
          case APPLICATION -> Status.UNKNOWN;
          case INTERNAL -> Status.INTERNAL;
        };
    Metadata trailers = new Metadata();
    trailers.put(FAILURE_TRAILER, failure(f));
    return s.withDescription(describe(f)).asRuntimeException(trailers);
  }

  /** "type: message [CODE, language, reason=r]", one line. */
  static String describe(dev.braid.model.Failure f) {
    StringBuilder sb = new StringBuilder(f.headline()).append(" [").append(f.code());
    if (!f.language().isEmpty()) {
      sb.append(", ").append(f.language());
    }
    if (f.reason() != null) {
      sb.append(", reason=").append(f.reason());
    }
    return sb.append(']').toString();
  }

  /** One engine event as an API event, without its sequence number. */
  public static dev.braid.proto.api.v1.RunEvent.Builder event(RunEvent e, String runId) {
    dev.braid.proto.api.v1.RunEvent.Builder b =
        dev.braid.proto.api.v1.RunEvent.newBuilder()
            .setRunId(runId)
            .setType(type(e.type()))
            .setTMs(e.atNanos() / 1e6);
    if (e.step() != null) {
      b.setStep(e.step());
    }
    if (e.kind() != null) {
      b.setKind(e.kind());
    }
    if (e.function() != null) {
      b.setFunction(e.function());
    }
    if (e.language() != null) {
      b.setLanguage(e.language());
    }
    b.setAttempt(Math.max(0, e.attempt()));
    if (e.status() != null) {
      b.setStatus(status(e.status()));
    }
    if (e.failure() != null) {
      b.setError(failure(e.failure()));
    }
    if (e.retryWait() != null) {
      b.setWaitMs(e.retryWait().toNanos() / 1e6);
    }
    if (e.type() == RunEvent.Type.RUN_FINISHED && e.status() == RunEvent.Status.OK) {
      b.setResultJson(json(e.value()));
    } else if (e.value() != null) {
      b.setResultJson(json(e.value()));
    }
    return b;
  }

  static EventType type(RunEvent.Type t) {
    return switch (t) {
      case RUN_STARTED -> EventType.EVENT_TYPE_RUN_STARTED;
      case STEP_STARTED -> EventType.EVENT_TYPE_STEP_STARTED;
      case ATTEMPT_STARTED -> EventType.EVENT_TYPE_ATTEMPT_STARTED;
      case ATTEMPT_FINISHED -> EventType.EVENT_TYPE_ATTEMPT_FINISHED;
      case RETRY_SCHEDULED -> EventType.EVENT_TYPE_RETRY_SCHEDULED;
      case STEP_FINISHED -> EventType.EVENT_TYPE_STEP_FINISHED;
      case RUN_FINISHED -> EventType.EVENT_TYPE_RUN_FINISHED;
    };
  }

  static EventStatus status(RunEvent.Status s) {
    return switch (s) {
      case OK -> EventStatus.EVENT_STATUS_OK;
      case FAILED -> EventStatus.EVENT_STATUS_FAILED;
      case CANCELLED -> EventStatus.EVENT_STATUS_CANCELLED;
      case SKIPPED -> EventStatus.EVENT_STATUS_SKIPPED;
    };
  }

  /** Compact JSON text; "null" for null. */
  public static String json(JsonNode v) {
    if (v == null) {
      return "null";
    }
    try {
      return JSON.writeValueAsString(v);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree that cannot be written: " + e.getMessage(), e);
    }
  }
}
