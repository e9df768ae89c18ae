package dev.braid.gateway.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.sandbox.ExecResult;
import dev.braid.gateway.sandbox.Limits;
import dev.braid.gateway.sandbox.OutputListener;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.sandbox.Script;
import dev.braid.model.Deadline;
import dev.braid.model.Failures;
import dev.braid.model.Scope;
import dev.braid.proto.api.v1.ExecuteScriptRequest;
import dev.braid.proto.api.v1.ExecuteScriptResponse;
import dev.braid.proto.api.v1.ScriptVerdict;
import dev.braid.proto.api.v1.Verdict;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;

/**
 * ExecuteScript: untrusted code in a fresh sandbox ({@link Sandbox}), its output streamed as it
 * comes, then the verdict. The script runs under a scope whose deadline is the client's: a client
 * deadline ends it like its wall-clock limit, a client's cancel (or lost connection) kills the
 * sandbox, shutdown kills it with reason {@code shutdown}. Output is bounded by the script's output
 * limit, so a client that reads slowly costs at most that much memory.
 */
final class ScriptRuns {
  private final Sandbox sandbox;
  private final String unavailable;
  private final Admission admission;
  private final InFlight inFlight;

  /**
   * @param sandbox null when the server has none
   * @param unavailable why there is none (shown to clients)
   */
  ScriptRuns(Sandbox sandbox, String unavailable, Admission admission, InFlight inFlight) {
    this.sandbox = sandbox;
    this.unavailable = unavailable;
    this.admission = admission;
    this.inFlight = inFlight;
  }

  void execute(ExecuteScriptRequest req, StreamObserver<ExecuteScriptResponse> observer) {
    ServerCallStreamObserver<ExecuteScriptResponse> out =
        (ServerCallStreamObserver<ExecuteScriptResponse>) observer;
    Context ctx = Context.current();
    Scope scope = scopeFor(ctx);
    Requests.ClientEnd end = Requests.ClientEnd.current();
    out.setOnCancelHandler(() -> scope.cancel(end.reason()));
    if (sandbox == null) {
      out.onError(
          Status.FAILED_PRECONDITION
              .withDescription("this server cannot run scripts: " + unavailable)
              .asRuntimeException());
      return;
    }
    Script script;
    Limits limits;
    try {
      script = script(req);
      limits = limits(req);
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    admission
        .acquire(ctx.getDeadline())
        .whenComplete(
            (permit, err) -> {
              if (err != null) {
                if (!out.isCancelled()) {
                  Throwable e = Failures.unwrap(err);
                  out.onError(
                      e instanceof StatusRuntimeException sre
                          ? sre
                          : Status.CANCELLED.withDescription("cancelled").asRuntimeException());
                }
                return;
              }
              InFlight.Entry entry = inFlight.add(scope::cancel);
              OutputListener listener =
                  (stream, text) -> {
                    ExecuteScriptResponse.Builder r = ExecuteScriptResponse.newBuilder();
                    if (stream == OutputListener.Stream.STDOUT) {
                      r.setStdout(text);
                    } else {
                      r.setStderr(text);
                    }
                    send(out, r.build());
                  };
              sandbox
                  .execute(script, limits, listener, scope)
                  .whenComplete(
                      (result, e) -> {
                        permit.release();
                        entry.close();
                        scope.close();
                        synchronized (out) {
                          if (out.isCancelled()) {
                            return;
                          }
                          if (e != null) {
                            out.onError(
                                Status.INTERNAL
                                    .withDescription(
                                        "the sandbox failed: "
                                            + Failures.fromThrowable(e).headline())
                                    .asRuntimeException());
                            return;
                          }
                          out.onNext(
                              ExecuteScriptResponse.newBuilder()
                                  .setVerdict(verdict(result))
                                  .build());
                          out.onCompleted();
                        }
                      });
            });
  }

  /** stdout and stderr come from two threads: the observer is called under its own lock. */
  private static void send(
      ServerCallStreamObserver<ExecuteScriptResponse> out, ExecuteScriptResponse r) {
    synchronized (out) {
      if (!out.isCancelled()) {
        out.onNext(r);
      }
    }
  }

  private static Scope scopeFor(Context ctx) {
    io.grpc.Deadline d = ctx.getDeadline();
    return d == null
        ? Scope.root()
        : Scope.root(
            Deadline.after(
                Duration.ofNanos(
                    Math.max(0, d.timeRemaining(java.util.concurrent.TimeUnit.NANOSECONDS)))));
  }

  private static Script script(ExecuteScriptRequest req) {
    Script.Lang lang;
    try {
      lang = Script.Lang.parse(req.getLang());
    } catch (IllegalArgumentException e) {
      throw Requests.invalid("'lang' must be python or js, got '" + req.getLang() + "'");
    }
    if (req.getCode().isBlank()) {
      throw Requests.invalid("'code' is empty: give the script's source");
    }
    JsonNode input = Requests.value("input_json", req.getInputJson());
    return new Script(lang, req.getCode(), null, input);
  }

  private static Limits limits(ExecuteScriptRequest req) {
    Limits l = Limits.DEFAULTS;
    try {
      Duration wall = Requests.duration("timeout", req.hasTimeout(), req.getTimeout());
      if (wall != null) {
        l = l.withWallTimeout(wall);
      }
      if (req.getMemoryMb() > 0) {
        l = l.withMemoryMb(req.getMemoryMb());
      }
      if (req.getCpuMs() > 0) {
        l = l.withCpuTime(Duration.ofMillis(req.getCpuMs()));
      }
      if (req.getMaxOutputBytes() > 0) {
        l = l.withMaxOutputBytes(req.getMaxOutputBytes());
      }
    } catch (IllegalArgumentException e) {
      throw Requests.invalid("invalid limits: " + e.getMessage());
    }
    return l;
  }

  private static ScriptVerdict verdict(ExecResult r) {
    ScriptVerdict.Builder b =
        ScriptVerdict.newBuilder()
            .setVerdict(verdictCode(r.verdict()))
            .setCpuMs(r.cpuMillis())
            .setWallMs(r.wallMillis())
            .setPeakMemoryBytes(r.peakMemoryKb() * 1024);
    if (r.result() != null) {
      b.setResultJson(ApiProtos.json(r.result()));
    }
    if (r.error() != null) {
      b.setFailure(ApiProtos.failure(r.error()));
    }
    if (r.exitCode() != null) {
      b.setExitCode(r.exitCode());
    }
    if (r.signal() != null) {
      b.setSignal(r.signal());
    }
    return b.build();
  }

  private static Verdict verdictCode(dev.braid.gateway.sandbox.Verdict v) {
    return switch (v) {
      case OK -> Verdict.VERDICT_OK;
      case RUNTIME_ERROR -> Verdict.VERDICT_RUNTIME_ERROR;
      case TIME_LIMIT -> Verdict.VERDICT_TIME_LIMIT;
      case WALL_TIME_LIMIT -> Verdict.VERDICT_WALL_TIME_LIMIT;
      case MEMORY_LIMIT -> Verdict.VERDICT_MEMORY_LIMIT;
      case OUTPUT_LIMIT -> Verdict.VERDICT_OUTPUT_LIMIT;
      case KILLED -> Verdict.VERDICT_KILLED;
      case INTERNAL -> Verdict.VERDICT_INTERNAL;
    };
  }
}
