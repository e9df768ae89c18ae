package dev.braid.internal.call;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.CallOptions;
import dev.braid.internal.hub.NestedHandler;
import dev.braid.internal.hub.WorkerConnection;
import dev.braid.model.CancelReason;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Failures;
import dev.braid.model.Scope;
import dev.braid.proto.worker.v1.GatewayFrame;
import dev.braid.proto.worker.v1.NestedCall;
import dev.braid.proto.worker.v1.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Runs the calls workers make to other functions ({@code braid_worker.call(...)} in Python, {@code
 * call(...)} in Node). A nested call is a child of the calling call's scope: it inherits the
 * remaining deadline and is cancelled when its caller is (reason {@code parent_cancelled}), when
 * the worker cancels it, or when the worker is lost. The reply goes back on the calling worker's
 * stream as a {@code nested_outcome}.
 */
public final class NestedCallRouter implements NestedHandler {
  /** Starts a call from raw JSON; implemented by {@code Braid}. */
  @FunctionalInterface
  public interface Starter {
    /** Throws IllegalArgumentException for a malformed or unavailable reference. */
    NestedStart start(String reference, byte[] args, byte[] kwargs, CallOptions options);
  }

  /** A started nested call: its result and a way to cancel it with a reason. */
  public record NestedStart(CompletableFuture<JsonNode> result, Consumer<CancelReason> cancel) {}

  /** Decides which references nested calls may reach; see {@code Braid#nestedCallPolicy}. */
  @FunctionalInterface
  public interface Policy {
    /** Why {@code reference} may not be called, or empty if it may. */
    Optional<String> refusal(String reference);
  }

  /** Every reference may be called (what {@code braid run} uses). */
  public static final Policy OPEN = ref -> Optional.empty();

  private final Starter starter;
  private volatile Policy policy = OPEN;

  public NestedCallRouter(Starter starter) {
    this.starter = starter;
  }

  /** Why the current policy refuses {@code reference}, or empty. */
  public Optional<String> policyRefusal(String reference) {
    return policy.refusal(reference);
  }

  /** Replaces the policy; calls started afterwards are checked against it. */
  public void policy(Policy p) {
    this.policy = Objects.requireNonNull(p, "policy");
  }

  @Override
  public void onNestedCall(WorkerConnection from, NestedCall nc) {
    Scope parent = from.scopeOf(nc.getParentCallId());
    CallOptions.Builder opts = CallOptions.builder().parent(parent);
    if (nc.getRemainingMs() > 0) {
      opts.timeout(Duration.ofMillis(nc.getRemainingMs()));
    }
    Optional<String> refused = policy.refusal(nc.getFunction());
    if (refused.isPresent()) {
      // no PERMISSION_DENIED among the worker protocol's codes: the caller's own argument is wrong
      reply(
          from,
          nc.getCallId(),
          null,
          Failure.of(FailureCode.INVALID_ARGUMENT, "PermissionDenied", refused.get()));
      return;
    }
    NestedStart started;
    try {
      started =
          starter.start(
              nc.getFunction(),
              nc.getArgs().getData().toByteArray(),
              nc.hasKwargs() ? nc.getKwargs().getData().toByteArray() : new byte[0],
              opts.build());
    } catch (IllegalArgumentException e) {
      reply(
          from,
          nc.getCallId(),
          null,
          Failure.of(FailureCode.INVALID_ARGUMENT, "UnknownFunction", e.getMessage()));
      return;
    }
    from.trackNested(
        nc.getCallId(), reason -> started.cancel().accept(CancelReason.fromWire(reason)));
    started
        .result()
        .whenComplete(
            (v, e) -> {
              from.untrackNested(nc.getCallId());
              reply(from, nc.getCallId(), v, e == null ? null : Failures.fromThrowable(e));
            });
  }

  private static void reply(WorkerConnection to, long id, JsonNode value, Failure failure) {
    Outcome.Builder o = Outcome.newBuilder().setCallId(id);
    if (failure != null) {
      o.setFailure(Protos.toProto(failure));
    } else {
      o.setValue(Protos.json(String.valueOf(value).getBytes(StandardCharsets.UTF_8)));
    }
    to.send(GatewayFrame.newBuilder().setNestedOutcome(o).build());
  }
}
