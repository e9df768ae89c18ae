package dev.braid.gateway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.model.Failure;
import java.util.Objects;

/**
 * The outcome of one sandboxed script run.
 *
 * @param verdict how it ended
 * @param result the script's JSON result when {@link Verdict#OK}: {@code main}'s return value, or
 *     for a plain script its stdout as a JSON string; null otherwise
 * @param exitCode the sandbox's exit status when it exited normally, else null
 * @param signal the signal that ended the script (or that the gateway sent), else null
 * @param cpuMillis CPU time of the whole sandbox since the script was handed over (from the
 *     cgroup's accounting; where there is none, what the runner reported, 0 if nothing)
 * @param wallMillis wall-clock time from handing the script over to the end of the sandbox
 * @param peakMemoryKb peak memory of the whole sandbox (cgroup), else the runner's own peak RSS, 0
 *     if unknown
 * @param stdout the script's stdout, up to the output cap
 * @param stderr the script's stderr, up to the output cap
 * @param error for every verdict but OK: the failure record (for RUNTIME_ERROR the script's own
 *     exception type, message and stack; its {@code language} is {@code python} or {@code node})
 * @param details how the run was confined and measured, and why it ended, for humans and logs
 */
public record ExecResult(
    Verdict verdict,
    JsonNode result,
    Integer exitCode,
    Integer signal,
    long cpuMillis,
    long wallMillis,
    long peakMemoryKb,
    String stdout,
    String stderr,
    Failure error,
    String details) {

  public ExecResult {
    Objects.requireNonNull(verdict, "verdict");
    stdout = stdout == null ? "" : stdout;
    stderr = stderr == null ? "" : stderr;
    details = details == null ? "" : details;
  }

  public boolean isOk() {
    return verdict == Verdict.OK;
  }
}
