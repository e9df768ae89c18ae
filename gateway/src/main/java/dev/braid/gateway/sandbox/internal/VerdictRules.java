package dev.braid.gateway.sandbox.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.braid.gateway.sandbox.Script;
import dev.braid.gateway.sandbox.Verdict;
import dev.braid.model.CancelReason;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.util.Map;

/**
 * Turns what is known about a finished sandbox into a verdict. Pure: every fact comes from the
 * kernel (exit status, cgroup counters), the gateway's own kill decisions, or the one result line
 * the runner wrote; the line is trusted only for the script's own outcome.
 */
final class VerdictRules {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<Integer, String> SIGNALS =
      Map.of(
          4, "SIGILL", 5, "SIGTRAP", 6, "SIGABRT", 7, "SIGBUS", 8, "SIGFPE", 9, "SIGKILL", 11,
          "SIGSEGV", 15, "SIGTERM", 24, "SIGXCPU", 25, "SIGXFSZ");

  /** Why the gateway killed the sandbox, if it did. */
  enum Kill {
    WALL,
    CPU,
    OUTPUT,
    CANCELLED
  }

  /**
   * Everything observed when the run settles. {@code exitValue} is bwrap's (128+N = signal N), null
   * when the run settles on the runner's answer before bwrap's exit is seen. {@code answered}: the
   * runner's result line was complete, after which the gateway kills the sandbox itself.
   */
  record Facts(
      Script.Lang lang,
      Kill kill,
      CancelReason cancelReason,
      long wallLimitMillis,
      Integer exitValue,
      boolean ready,
      boolean answered,
      String record,
      boolean extraLines,
      String stdout,
      String stderr,
      long cpuMillis,
      long cpuLimitMillis,
      long oomKills,
      long memoryLimitHits) {}

  record Decision(
      Verdict verdict,
      JsonNode result,
      Integer exitCode,
      Integer signal,
      Failure error,
      String reason,
      JsonNode usage) {}

  private VerdictRules() {}

  static Decision decide(Facts f) {
    Integer signal =
        f.exitValue != null && f.exitValue > 128 && f.exitValue < 128 + 65
            ? f.exitValue - 128
            : null;
    Integer exit = signal == null ? f.exitValue : null;
    if (f.kill != null) {
      return killed(f);
    }
    JsonNode rec = null;
    boolean malformed = false;
    if (f.record != null) {
      try {
        rec = JSON.readTree(f.record);
        malformed = rec == null || !rec.isObject() || !rec.path("ok").isBoolean();
      } catch (JsonProcessingException e) {
        malformed = true;
      }
    }
    JsonNode usage = rec == null ? null : rec.get("usage");
    if (f.answered && !malformed && rec != null) {
      // the gateway kills a sandbox once it has the answer: report the status the runner exits
      // with right after answering
      signal = null;
      exit = rec.get("ok").asBoolean() ? 0 : 1;
    }
    if (!malformed && !f.extraLines && rec != null && rec.get("ok").asBoolean()) {
      JsonNode value =
          rec.path("plain").asBoolean() ? TextNode.valueOf(f.stdout) : rec.get("value");
      return new Decision(Verdict.OK, value, exit, signal, null, "ok", usage);
    }
    if (f.oomKills > 0) {
      return limit(
          Verdict.MEMORY_LIMIT, "MemoryLimit", "out of memory (cgroup OOM kill)", exit, signal);
    }
    if ((malformed || f.extraLines) && f.ready) {
      // The script shares the runner's process and can always write the channel (or break the
      // runner's state with getattr tricks), so after hand-over a bad line is the script's doing,
      // not the sandbox's: INTERNAL stays reserved for failures the script cannot cause.
      return new Decision(
          memoryHit(f) ? Verdict.MEMORY_LIMIT : Verdict.RUNTIME_ERROR,
          null,
          exit,
          signal,
          Failure.of(
              FailureCode.APPLICATION,
              "ProtocolError",
              "the result channel carried "
                  + (f.extraLines ? "more than one line" : "a line that is not a valid result")
                  + ": the script wrote to it or broke the runner"),
          "protocol error",
          usage);
    }
    if (malformed || f.extraLines) {
      return new Decision(
          Verdict.INTERNAL,
          null,
          exit,
          signal,
          Failure.of(
              FailureCode.INTERNAL, "ProtocolError", "the runner's result line is not valid"),
          "protocol error",
          usage);
    }
    if (rec != null) {
      Failure err =
          new Failure(
              FailureCode.APPLICATION,
              rec.path("type").asText("Error"),
              rec.path("message").asText(""),
              f.lang == Script.Lang.PYTHON ? "python" : "node",
              rec.path("stack").asText(""),
              null,
              false,
              null,
              null);
      if (memoryHit(f)) {
        // Under the cgroup an allocation at the limit fails in whatever way the interpreter
        // reports it (Python 3.11's frame stack raises a bare SystemError, a C extension its own
        // error): the kernel's count of hits at the limit, not the exception's type, says why.
        return new Decision(
            Verdict.MEMORY_LIMIT,
            null,
            exit,
            signal,
            new Failure(
                FailureCode.RESOURCE_EXHAUSTED,
                "MemoryLimit",
                "out of memory: the run reached its memory limit (the script then raised "
                    + err.type()
                    + (err.message().isEmpty() ? "" : ": " + err.message())
                    + ")",
                err.language(),
                err.stack(),
                null,
                false,
                null,
                null),
            "memory limit reached",
            usage);
      }
      boolean memory = f.lang == Script.Lang.PYTHON && err.type().equals("MemoryError");
      return new Decision(
          memory ? Verdict.MEMORY_LIMIT : Verdict.RUNTIME_ERROR,
          null,
          exit,
          signal,
          err,
          memory ? "MemoryError" : "the script raised",
          usage);
    }
    if (signal != null) {
      String name = SIGNALS.getOrDefault(signal, "signal " + signal);
      if (signal == 24 || (signal == 9 && f.cpuMillis >= f.cpuLimitMillis)) {
        return limit(
            Verdict.TIME_LIMIT,
            "TimeLimit",
            "CPU time limit exceeded (" + name + ")",
            exit,
            signal);
      }
      boolean jsHeap =
          f.lang == Script.Lang.JS
              && (signal == 6 || signal == 5)
              && f.stderr.contains("heap out of memory");
      if (jsHeap || (signal == 9 && f.memoryLimitHits > 0)) {
        return limit(
            Verdict.MEMORY_LIMIT, "MemoryLimit", "out of memory (" + name + ")", exit, signal);
      }
      return new Decision(
          Verdict.KILLED,
          null,
          null,
          signal,
          Failure.of(FailureCode.APPLICATION, "Killed", "the script was killed by " + name),
          "killed by " + name,
          null);
    }
    if (!f.ready) {
      return new Decision(
          Verdict.INTERNAL,
          null,
          exit,
          null,
          Failure.of(
              FailureCode.INTERNAL,
              "SandboxFailed",
              "the sandbox did not start (exit status " + exit + "): " + tail(f.stderr)),
          "sandbox did not start",
          null);
    }
    String msg =
        exit != null && exit != 0
            ? "the script exited with status " + exit
            : "the script exited before the runner could report a result";
    return new Decision(
        Verdict.RUNTIME_ERROR,
        null,
        exit,
        null,
        Failure.of(FailureCode.APPLICATION, "Exit", msg),
        "exited",
        null);
  }

  /** The cgroup says the run reached its memory limit (failcnt counts the charges refused). */
  private static boolean memoryHit(Facts f) {
    return f.oomKills > 0 || f.memoryLimitHits > 0;
  }

  private static Decision killed(Facts f) {
    return switch (f.kill) {
      case CANCELLED -> {
        CancelReason r = f.cancelReason == null ? CancelReason.CANCELLED : f.cancelReason;
        yield new Decision(
            Verdict.KILLED,
            null,
            null,
            9,
            Failure.cancelled(r, "the sandbox was killed: " + r.wireName()),
            r.wireName(),
            null);
      }
      case WALL ->
          new Decision(
              Verdict.WALL_TIME_LIMIT,
              null,
              null,
              9,
              new Failure(
                  FailureCode.DEADLINE_EXCEEDED,
                  "WallTimeLimit",
                  "wall-clock limit of " + f.wallLimitMillis + " ms exceeded",
                  "java",
                  "",
                  null,
                  false,
                  null,
                  CancelReason.DEADLINE_EXCEEDED.wireName()),
              "wall-clock deadline",
              null);
      case CPU ->
          limit(
              Verdict.TIME_LIMIT,
              "TimeLimit",
              "CPU time limit of " + f.cpuLimitMillis + " ms exceeded",
              null,
              9);
      case OUTPUT -> limit(Verdict.OUTPUT_LIMIT, "OutputLimit", "output limit exceeded", null, 9);
    };
  }

  private static Decision limit(Verdict v, String type, String message, Integer exit, Integer sig) {
    return new Decision(
        v,
        null,
        exit,
        sig,
        Failure.of(FailureCode.RESOURCE_EXHAUSTED, type, message),
        message,
        null);
  }

  private static String tail(String s) {
    String t = s.strip();
    return t.length() <= 2000 ? t : "..." + t.substring(t.length() - 2000);
  }
}
