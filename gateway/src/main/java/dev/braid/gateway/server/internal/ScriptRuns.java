package dev.braid.gateway.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.sandbox.ExecResult;
import dev.braid.gateway.sandbox.Limits;
import dev.braid.gateway.sandbox.OutputListener;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.sandbox.Script;
import dev.braid.gateway.server.ScriptCeilings;
import dev.braid.model.Clock;
import dev.braid.model.Deadline;
import dev.braid.model.Durations;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
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
import java.util.concurrent.TimeUnit;

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
  private final ServerLimits serverLimits;
  private final Clock clock;

  /**
   * @param sandbox null when the server has none
   * @param unavailable why there is none (shown to clients)
   * @param serverLimits the ceilings on a request's limits, the message limit, the payload budget
   */
  ScriptRuns(
      Sandbox sandbox,
      String unavailable,
      Admission admission,
      InFlight inFlight,
      ServerLimits serverLimits,
      Clock clock) {
    this.clock = clock;
    this.sandbox = sandbox;
    this.serverLimits = serverLimits;
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
      scope.close();
      out.onError(
          Status.FAILED_PRECONDITION
              .withDescription("this server cannot run scripts: " + unavailable)
              .asRuntimeException());
      return;
    }
    Script script;
    Limits limits;
    PayloadBudget.Hold hold;
    try {
      script = script(req);
      limits = limits(req, serverLimits.scripts());
      // the request, and the output the script may produce (queued for a slow client, and the
      // result line) are held until the verdict is sent
      hold =
          serverLimits
              .budget()
              .reserve(req.getSerializedSize() + limits.maxOutputBytes(), "script");
    } catch (StatusRuntimeException e) {
      scope.close();
      out.onError(e);
      return;
    }
    admission
        .acquire(ctx.getDeadline())
        .whenComplete(
            (permit, err) -> {
              if (err != null) {
                hold.close();
                scope.close();
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
                        hold.close();
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
                                  .setVerdict(verdict(result, serverLimits))
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

  /** The script's scope, owning the client's deadline (null: none). Closed when the RPC ends. */
  private Scope scopeFor(Context ctx) {
    io.grpc.Deadline d = ctx.getDeadline();
    return d == null
        ? Scope.root()
        : Scope.root(
            Deadline.after(
                Duration.ofNanos(Math.max(0, d.timeRemaining(TimeUnit.NANOSECONDS))), clock));
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

  /**
   * The request's limits, each at most the server's ceiling; unset ones get the sandbox's default,
   * lowered to the ceiling. A request above a ceiling is refused rather than silently lowered: the
   * client learns what this server allows. The proto's unsigned fields are read as unsigned, so a
   * huge value is refused instead of wrapping to a negative number that would look unset.
   */
  static Limits limits(ExecuteScriptRequest req, ScriptCeilings c) {
    Limits d = Limits.DEFAULTS;
    Limits l =
        d.withWallTimeout(min(d.wallTimeout(), c.wallTimeout()))
            .withCpuTime(min(d.cpuTime(), c.cpuTime()))
            .withMemoryMb(Math.min(d.memoryMb(), c.memoryMb()))
            .withMaxOutputBytes(Math.min(d.maxOutputBytes(), c.outputBytes()));
    try {
      Duration wall = Requests.duration("timeout", req.hasTimeout(), req.getTimeout());
      if (wall != null) {
        if (wall.compareTo(c.wallTimeout()) > 0) {
          throw above(
              "timeout",
              Durations.format(wall),
              Durations.format(c.wallTimeout()),
              "--max-script-timeout");
        }
        l = l.withWallTimeout(wall);
      }
      long memoryMb = Integer.toUnsignedLong(req.getMemoryMb());
      if (memoryMb > 0) {
        if (memoryMb > c.memoryMb()) {
          throw above("memory_mb", memoryMb + " MiB", c.memoryMb() + " MiB", "--max-script-memory");
        }
        l = l.withMemoryMb((int) memoryMb);
      }
      long cpuMs = Integer.toUnsignedLong(req.getCpuMs());
      if (cpuMs > 0) {
        if (cpuMs > c.cpuTime().toMillis()) {
          throw above("cpu_ms", cpuMs + " ms", c.cpuTime().toMillis() + " ms", "--max-script-cpu");
        }
        l = l.withCpuTime(Duration.ofMillis(cpuMs));
      }
      long output = req.getMaxOutputBytes();
      if (output != 0) {
        if (Long.compareUnsigned(output, c.outputBytes()) > 0) {
          throw above(
              "max_output_bytes",
              Long.toUnsignedString(output) + " bytes",
              c.outputBytes() + " bytes",
              "--max-script-output");
        }
        l = l.withMaxOutputBytes(output);
      }
    } catch (IllegalArgumentException e) {
      throw Requests.invalid("invalid limits: " + e.getMessage());
    }
    return l;
  }

  private static StatusRuntimeException above(
      String field, String asked, String ceiling, String option) {
    return Requests.invalid(
        "'"
            + field
            + "' of "
            + asked
            + " is above this server's ceiling of "
            + ceiling
            + " ("
            + option
            + "); ask for at most that");
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * The verdict message. A result that does not fit in one message (possible when the output
   * ceiling is above the message limit) becomes an {@code OUTPUT_LIMIT} verdict that says so.
   */
  private static ScriptVerdict verdict(ExecResult r, ServerLimits serverLimits) {
    ScriptVerdict v = verdict(r);
    if (v.getResultJson().isEmpty() || serverLimits.fits(v.getResultJson())) {
      return v;
    }
    return v.toBuilder()
        .clearResultJson()
        .setVerdict(Verdict.VERDICT_OUTPUT_LIMIT)
        .setFailure(
            ApiProtos.failure(
                Failure.of(
                    FailureCode.RESOURCE_EXHAUSTED,
                    "OutputLimit",
                    serverLimits.tooLargeMessage("the script's result", v.getResultJson()))))
        .build();
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
