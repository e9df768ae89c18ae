package dev.braid.gateway.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.Braid;
import dev.braid.api.CallOptions;
import dev.braid.api.CatalogEntry;
import dev.braid.api.RemoteCall;
import dev.braid.api.RemoteFunction;
import dev.braid.api.RemoteStream;
import dev.braid.model.CancelReason;
import dev.braid.model.Durations;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Failures;
import dev.braid.proto.api.v1.FunctionInfo;
import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.InvokeResponse;
import dev.braid.proto.api.v1.InvokeStreamRequest;
import dev.braid.proto.api.v1.InvokeStreamResponse;
import dev.braid.proto.api.v1.ListFunctionsRequest;
import dev.braid.proto.api.v1.ListFunctionsResponse;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The function RPCs: Invoke, InvokeStream, ListFunctions. A call's deadline is the earlier of the
 * request's {@code timeout} and the client's gRPC deadline, enforced by the call's own timer (the
 * worker sees {@code deadline_exceeded}); a client's cancel, or its lost connection, cancels the
 * call (the worker sees {@code cancelled}).
 */
final class FunctionCalls {
  private final Braid braid;
  private final Admission admission;
  private final InFlight inFlight;
  private final Duration catalogTimeout;
  private final Permissions permissions;
  private final ServerLimits limits;

  FunctionCalls(
      Braid braid,
      Admission admission,
      InFlight inFlight,
      Duration catalogTimeout,
      Permissions permissions,
      ServerLimits limits) {
    this.permissions = permissions;
    this.braid = braid;
    this.limits = limits;
    this.admission = admission;
    this.inFlight = inFlight;
    this.catalogTimeout = catalogTimeout;
  }

  /** A validated call request. */
  private record Spec(
      RemoteFunction function,
      List<JsonNode> args,
      Map<String, JsonNode> kwargs,
      Duration timeout,
      Duration grace,
      RetryRequests.Retry retry) {}

  private Spec spec(
      String function,
      String argsJson,
      String kwargsJson,
      boolean hasTimeout,
      com.google.protobuf.Duration timeout,
      boolean hasGrace,
      com.google.protobuf.Duration grace) {
    if (function.isBlank()) {
      throw Requests.invalid(
          "'function' is empty: give a reference such as python:pkg.module:func,"
              + " node:file.mjs#export or java:pkg.Class#method");
    }
    RemoteFunction fn;
    try {
      fn = braid.function(function);
      // refused before anything is admitted, queued or sent to a worker
      permissions.requireExposed(function);
    } catch (IllegalArgumentException e) {
      throw Requests.invalid(e.getMessage());
    }
    Duration g = null;
    if (hasGrace) {
      g = Duration.ofSeconds(grace.getSeconds(), grace.getNanos());
      if (g.isNegative()) {
        throw Requests.invalid("'grace' must not be negative");
      }
    }
    return new Spec(
        fn,
        Requests.array("args_json", argsJson),
        Requests.object("kwargs_json", kwargsJson),
        Requests.duration("timeout", hasTimeout, timeout),
        g,
        null);
  }

  /** The cancel of a call that may not exist yet. */
  private static final class Pending {
    private volatile CancelReason cancelled;
    private volatile CompletableFuture<?> acquiring;
    private volatile Consumer<CancelReason> cancel;

    void cancel(CancelReason why) {
      cancelled = why;
      CompletableFuture<?> a = acquiring;
      if (a != null) {
        a.cancel(false);
      }
      Consumer<CancelReason> c = cancel;
      if (c != null) {
        c.accept(why);
      }
    }

    void bind(Consumer<CancelReason> c) {
      cancel = c;
      CancelReason why = cancelled;
      if (why != null) {
        c.accept(why);
      }
    }
  }

  // ---- Invoke

  void invoke(InvokeRequest req, StreamObserver<InvokeResponse> observer) {
    ServerCallStreamObserver<InvokeResponse> out =
        (ServerCallStreamObserver<InvokeResponse>) observer;
    Context ctx = Context.current();
    Pending p = new Pending();
    Requests.ClientEnd end = Requests.ClientEnd.current();
    out.setOnCancelHandler(() -> p.cancel(end.reason()));
    Spec spec;
    try {
      spec =
          spec(
              req.getFunction(),
              req.getArgsJson(),
              req.getKwargsJson(),
              req.hasTimeout(),
              req.getTimeout(),
              req.hasGrace(),
              req.getGrace());
      RetryRequests.Retry retry = RetryRequests.of(req);
      if (retry != null) {
        spec =
            new Spec(
                spec.function(), spec.args(), spec.kwargs(), spec.timeout(), spec.grace(), retry);
      }
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    PayloadBudget.Hold hold;
    try {
      hold = limits.budget().reserve(req.getSerializedSize(), "call");
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    Spec call = spec;
    admit(out, ctx, p, hold, permit -> startCall(call, out, ctx, p, permit, hold));
  }

  private void startCall(
      Spec spec,
      ServerCallStreamObserver<InvokeResponse> out,
      Context ctx,
      Pending p,
      Admission.Permit permit,
      PayloadBudget.Hold hold) {
    RemoteCall call =
        spec.function().call(spec.args(), spec.kwargs(), options(spec, ctx.getDeadline()));
    InFlight.Entry entry = inFlight.add(call::cancel);
    p.bind(call::cancel);
    call.whenComplete(
        (v, e) -> {
          permit.release();
          entry.close();
          try (hold) {
            if (out.isCancelled()) {
              return;
            }
            if (e == null) {
              sendResult(out, v, hold);
              return;
            }
          }
          Failure f = Failures.fromThrowable(e);
          if (f.code() == FailureCode.APPLICATION) {
            out.onNext(InvokeResponse.newBuilder().setFailure(ApiProtos.failure(f)).build());
            out.onCompleted();
          } else {
            out.onError(ApiProtos.status(f));
          }
        });
  }

  /**
   * Sends a call's result, or refuses it with {@code RESOURCE_EXHAUSTED} when it does not fit in
   * one message (the client would reject it, and the server would hold it for nothing).
   */
  private void sendResult(
      ServerCallStreamObserver<InvokeResponse> out, JsonNode v, PayloadBudget.Hold hold) {
    String json = ApiProtos.json(v);
    if (!limits.fits(json)) {
      out.onError(limits.tooLarge("the result", json));
      return;
    }
    long size = ServerLimits.wireSize(json);
    hold.grow(size);
    out.onNext(InvokeResponse.newBuilder().setValueJson(json).build());
    out.onCompleted();
  }

  private static CallOptions options(Spec spec, Deadline clientDeadline) {
    CallOptions.Builder o = CallOptions.builder();
    // a little before the client's: the call's scope answers before grpc's own timer resets
    Duration left = Requests.ownDeadline(spec.timeout(), clientDeadline).left();
    if (left != null) {
      o.totalTimeout(left);
    }
    if (spec.grace() != null) {
      o.grace(spec.grace());
    }
    if (spec.retry() != null) {
      o.retry(spec.retry().policy()).timeout(spec.retry().attemptTimeout());
    }
    return o.build();
  }

  /**
   * Takes a call slot, then runs {@code body} (on the thread that granted it); failures to admit or
   * to start end the RPC with their status.
   */
  private <T> void admit(
      ServerCallStreamObserver<T> out,
      Context ctx,
      Pending p,
      PayloadBudget.Hold hold,
      Consumer<Admission.Permit> body) {
    CompletableFuture<Admission.Permit> acquiring = admission.acquire(ctx.getDeadline());
    p.acquiring = acquiring;
    if (p.cancelled != null) {
      acquiring.cancel(false);
    }
    acquiring.whenComplete(
        (permit, err) -> {
          if (err != null) {
            hold.close();
            if (!out.isCancelled()) {
              Throwable e = Failures.unwrap(err);
              out.onError(
                  e instanceof StatusRuntimeException sre
                      ? sre
                      : Status.CANCELLED.withDescription("cancelled").asRuntimeException());
            }
            return;
          }
          try {
            body.accept(permit);
          } catch (StatusRuntimeException e) {
            permit.release();
            hold.close();
            if (!out.isCancelled()) {
              out.onError(e);
            }
          } catch (RuntimeException e) {
            permit.release();
            hold.close();
            if (!out.isCancelled()) {
              out.onError(
                  Status.INTERNAL
                      .withDescription(Failures.fromThrowable(e).headline())
                      .asRuntimeException());
            }
          }
        });
  }

  // ---- InvokeStream

  void invokeStream(InvokeStreamRequest req, StreamObserver<InvokeStreamResponse> observer) {
    ServerCallStreamObserver<InvokeStreamResponse> out =
        (ServerCallStreamObserver<InvokeStreamResponse>) observer;
    Context ctx = Context.current();
    Pending p = new Pending();
    StreamBridge.Holder holder = new StreamBridge.Holder();
    out.setOnReadyHandler(holder::onReady);
    Requests.ClientEnd end = Requests.ClientEnd.current();
    out.setOnCancelHandler(() -> p.cancel(end.reason()));
    Spec spec;
    try {
      spec =
          spec(
              req.getFunction(),
              req.getArgsJson(),
              req.getKwargsJson(),
              req.hasTimeout(),
              req.getTimeout(),
              req.hasGrace(),
              req.getGrace());
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    PayloadBudget.Hold hold;
    try {
      hold = limits.budget().reserve(req.getSerializedSize(), "stream");
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    admit(
        out,
        ctx,
        p,
        hold,
        permit -> {
          RemoteStream stream =
              spec.function().stream(spec.args(), spec.kwargs(), options(spec, ctx.getDeadline()));
          InFlight.Entry entry = inFlight.add(holder::cancel);
          StreamBridge bridge =
              new StreamBridge(
                  stream,
                  out,
                  limits,
                  hold,
                  () -> {
                    permit.release();
                    hold.close();
                    entry.close();
                  });
          holder.bind(bridge);
          // the deadline is enforced by the call's own timer (the worker then sees
          // deadline_exceeded); any other end of the RPC cancels the generator
          p.bind(
              why -> {
                if (why != CancelReason.DEADLINE_EXCEEDED) {
                  holder.cancel(why);
                }
              });
          stream.subscribe(bridge);
        });
  }

  // ---- ListFunctions

  void listFunctions(ListFunctionsRequest req, StreamObserver<ListFunctionsResponse> out) {
    List<String> languages;
    switch (req.getLanguage()) {
      case "" -> languages = List.of("python", "node");
      case "python", "node" -> languages = List.of(req.getLanguage());
      default -> {
        out.onError(
            Requests.invalid(
                "unknown language '"
                    + req.getLanguage()
                    + "': expected python, node, or empty for both (Java functions are not"
                    + " listed: call them by reference)"));
        return;
      }
    }
    List<CompletableFuture<List<CatalogEntry>>> parts = new ArrayList<>();
    for (String l : languages) {
      parts.add(braid.catalog(l).orTimeout(catalogTimeout.toMillis(), TimeUnit.MILLISECONDS));
    }
    CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, err) -> {
              if (err != null) {
                Throwable e = Failures.unwrap(err);
                String why =
                    e instanceof TimeoutException
                        ? "no catalog within " + Durations.format(catalogTimeout)
                        : Failures.fromThrowable(e).headline();
                out.onError(
                    Status.UNAVAILABLE
                        .withDescription("a worker did not send its catalog: " + why)
                        .asRuntimeException());
                return;
              }
              ListFunctionsResponse.Builder b = ListFunctionsResponse.newBuilder();
              List<CatalogEntry> all = new ArrayList<>();
              parts.forEach(part -> all.addAll(part.join()));
              // remote pools with a worker connected now (python@gpu:...); never waited for
              languages.forEach(l -> all.addAll(braid.remoteCatalogs(l)));
              for (CatalogEntry c : all) {
                if (!permissions.allows(c.reference())) {
                  continue;
                }
                b.addFunctions(
                    FunctionInfo.newBuilder()
                        .setReference(c.reference())
                        .setKind(c.kind())
                        .setSignature(c.signature())
                        .setDoc(c.doc()));
              }
              out.onNext(b.build());
              out.onCompleted();
            });
  }
}
