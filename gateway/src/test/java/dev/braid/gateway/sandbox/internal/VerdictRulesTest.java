package dev.braid.gateway.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.gateway.sandbox.Script;
import dev.braid.gateway.sandbox.Verdict;
import dev.braid.model.CancelReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The verdict mapping on its own, fact by fact. */
@Timeout(10)
class VerdictRulesTest {
  private static final String OK = "{\"ok\":true,\"value\":1}";

  private static VerdictRules.Decision decide(
      VerdictRules.Kill kill,
      int exit,
      boolean ready,
      String record,
      long cpu,
      long oom,
      String err) {
    return decide(kill, exit, ready, false, record, cpu, oom, err);
  }

  private static VerdictRules.Decision decide(
      VerdictRules.Kill kill,
      int exit,
      boolean ready,
      boolean answered,
      String record,
      long cpu,
      long oom,
      String err) {
    return VerdictRules.decide(
        new VerdictRules.Facts(
            Script.Lang.PYTHON,
            kill,
            null,
            1000,
            exit,
            ready,
            answered,
            record,
            false,
            "",
            err,
            cpu,
            1000,
            oom,
            0));
  }

  @Test
  void theGatewaysOwnKillsWinOverEverythingElse() {
    assertThat(decide(VerdictRules.Kill.WALL, 137, true, OK, 0, 1, "").verdict())
        .isEqualTo(Verdict.WALL_TIME_LIMIT);
    assertThat(decide(VerdictRules.Kill.OUTPUT, 137, true, OK, 0, 0, "").verdict())
        .isEqualTo(Verdict.OUTPUT_LIMIT);
    assertThat(decide(VerdictRules.Kill.CPU, 137, true, null, 0, 0, "").verdict())
        .isEqualTo(Verdict.TIME_LIMIT);
    VerdictRules.Decision c =
        VerdictRules.decide(
            new VerdictRules.Facts(
                Script.Lang.JS,
                VerdictRules.Kill.CANCELLED,
                CancelReason.SHUTDOWN,
                1000,
                137,
                true,
                false,
                null,
                false,
                "",
                "",
                0,
                1000,
                0,
                0));
    assertThat(c.verdict()).isEqualTo(Verdict.KILLED);
    assertThat(c.error().reason()).isEqualTo("shutdown");
  }

  @Test
  void aSandboxKilledBecauseItAnsweredReportsTheRunnersOwnStatus() {
    VerdictRules.Decision ok = decide(null, 137, true, true, OK, 0, 0, "");
    assertThat(ok.verdict()).isEqualTo(Verdict.OK);
    assertThat(ok.exitCode()).isZero();
    assertThat(ok.signal()).isNull();

    String raised = "{\"ok\":false,\"type\":\"ValueError\",\"message\":\"no\",\"stack\":\"\"}";
    VerdictRules.Decision failed = decide(null, 137, true, true, raised, 0, 0, "");
    assertThat(failed.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(failed.signal()).isNull();

    // the same SIGKILL without an answer is a kill
    VerdictRules.Decision killed = decide(null, 137, true, false, null, 0, 0, "");
    assertThat(killed.verdict()).isEqualTo(Verdict.KILLED);
    assertThat(killed.signal()).isEqualTo(9);
  }

  @Test
  void aValidOkRecordIsOkEvenAfterAnOomKillOfAChild() {
    assertThat(decide(null, 0, true, OK, 0, 1, "").verdict()).isEqualTo(Verdict.OK);
  }

  @Test
  void signalsMapToLimitsOrKilled() {
    assertThat(decide(null, 128 + 24, true, null, 10, 0, "").verdict())
        .isEqualTo(Verdict.TIME_LIMIT);
    assertThat(decide(null, 137, true, null, 2000, 0, "").verdict()).isEqualTo(Verdict.TIME_LIMIT);
    assertThat(decide(null, 137, true, null, 10, 1, "").verdict()).isEqualTo(Verdict.MEMORY_LIMIT);
    VerdictRules.Decision segv = decide(null, 128 + 11, true, null, 10, 0, "");
    assertThat(segv.verdict()).isEqualTo(Verdict.KILLED);
    assertThat(segv.signal()).isEqualTo(11);
    assertThat(segv.exitCode()).isNull();
  }

  @Test
  void aRunnerThatNeverStartedIsInternal() {
    VerdictRules.Decision d = decide(null, 1, false, null, 0, 0, "bwrap: No permissions");
    assertThat(d.verdict()).isEqualTo(Verdict.INTERNAL);
    assertThat(d.error().message()).contains("bwrap: No permissions");
  }

  @Test
  void garbageOnTheChannelAfterHandOverIsTheScriptsRuntimeError() {
    // the script shares the runner's process: only it can have written the bad line
    VerdictRules.Decision d = decide(null, 0, true, "not json", 0, 0, "");
    assertThat(d.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(d.error().type()).isEqualTo("ProtocolError");
    assertThat(decide(null, 0, true, "[1]", 0, 0, "").verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
    // before the runner was ready no script had run: the sandbox failed
    assertThat(decide(null, 0, false, "[1]", 0, 0, "").verdict()).isEqualTo(Verdict.INTERNAL);
  }

  @Test
  void anErrorRaisedAfterTheRunReachedItsMemoryLimitIsMemoryLimit() {
    // Python 3.11's frame stack reports a failed allocation as a bare SystemError
    String raised = "{\"ok\":false,\"type\":\"SystemError\",\"message\":\"\",\"stack\":\"s\"}";
    VerdictRules.Decision d = withMemoryHits(raised, 3);
    assertThat(d.verdict()).isEqualTo(Verdict.MEMORY_LIMIT);
    assertThat(d.error().type()).isEqualTo("MemoryLimit");
    assertThat(d.error().message()).contains("SystemError");
    // the same error without a hit at the limit is the script's
    assertThat(withMemoryHits(raised, 0).verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
    // a result stays a result
    assertThat(withMemoryHits(OK, 3).verdict()).isEqualTo(Verdict.OK);
  }

  private static VerdictRules.Decision withMemoryHits(String record, long hits) {
    return VerdictRules.decide(
        new VerdictRules.Facts(
            Script.Lang.PYTHON,
            null,
            null,
            1000,
            null,
            true,
            true,
            record,
            false,
            "",
            "",
            0,
            1000,
            0,
            hits));
  }

  @Test
  void errorsAndExitsAreRuntimeErrors() {
    String raised = "{\"ok\":false,\"type\":\"KeyError\",\"message\":\"'x'\",\"stack\":\"s\"}";
    VerdictRules.Decision d = decide(null, 1, true, raised, 0, 0, "");
    assertThat(d.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(d.error().type()).isEqualTo("KeyError");
    String mem = "{\"ok\":false,\"type\":\"MemoryError\",\"message\":\"\",\"stack\":\"\"}";
    assertThat(decide(null, 1, true, mem, 0, 0, "").verdict()).isEqualTo(Verdict.MEMORY_LIMIT);
    VerdictRules.Decision exit = decide(null, 3, true, null, 0, 0, "");
    assertThat(exit.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(exit.exitCode()).isEqualTo(3);
  }
}
