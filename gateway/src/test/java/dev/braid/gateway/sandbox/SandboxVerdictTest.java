package dev.braid.gateway.sandbox;

import static dev.braid.gateway.sandbox.Sandboxes.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each verdict, with cgroups (where writable) and with rlimits alone. */
@Timeout(60)
class SandboxVerdictTest {
  private static final Limits TIGHT =
      Limits.DEFAULTS
          .withCpuTime(Duration.ofSeconds(1))
          .withWallTimeout(Duration.ofSeconds(20))
          .withMemoryMb(128);
  private static Sandbox sandbox;
  private static Sandbox rlimitsOnly;

  @BeforeAll
  static void start() {
    sandbox = Sandboxes.create(0);
    rlimitsOnly = Sandbox.create(SandboxConfig.builder().poolSize(0).useCgroups(false).build());
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
    if (rlimitsOnly != null) {
      rlimitsOnly.close();
    }
  }

  @Test
  void cpuLoopIsTimeLimit() {
    for (Sandbox s : new Sandbox[] {sandbox, rlimitsOnly}) {
      ExecResult r = run(s, Script.python("while True:\n    pass"), TIGHT);
      assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.TIME_LIMIT);
      assertThat(r.wallMillis()).isLessThan(10_000);
    }
    ExecResult cg = run(sandbox, Script.python("while True:\n    pass"), TIGHT);
    // RLIMIT_CPU also counts the interpreter's start-up, before the script was handed over
    assertThat(cg.cpuMillis()).isGreaterThan(700);
  }

  @Test
  void cpuLoopThatIgnoresSigxcpuIsStillTimeLimit() {
    String code =
        "import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True:\n    pass";
    ExecResult r = run(rlimitsOnly, Script.python(code), TIGHT);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.TIME_LIMIT);
    assertThat(r.signal()).isEqualTo(9);
  }

  @Test
  void jsBusyLoopIsTimeLimit() {
    ExecResult r = run(sandbox, Script.js("for (;;) {}"), TIGHT);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.TIME_LIMIT);
  }

  @Test
  void sleeperIsWallTimeLimit() {
    Limits l = Limits.DEFAULTS.withWallTimeout(Duration.ofMillis(800));
    ExecResult r = run(sandbox, Script.python("import time\ntime.sleep(60)"), l);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.WALL_TIME_LIMIT);
    assertThat(r.wallMillis()).isBetween(700L, 5_000L);
    assertThat(r.signal()).isEqualTo(9);
    assertThat(r.error().reason()).isEqualTo("deadline_exceeded");
  }

  @Test
  void pythonMemoryHogIsMemoryLimit() {
    String code = "a = []\nwhile True:\n    a.append(bytearray(1 << 20))";
    for (Sandbox s : new Sandbox[] {sandbox, rlimitsOnly}) {
      ExecResult r = run(s, Script.python(code), TIGHT);
      assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.MEMORY_LIMIT);
    }
  }

  @Test
  void jsMemoryHogIsMemoryLimit() {
    String code = "const a = []; for (;;) a.push(new Array(1 << 16).fill(1.5));";
    for (Sandbox s : new Sandbox[] {sandbox, rlimitsOnly}) {
      ExecResult r = run(s, Script.js(code), TIGHT);
      assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.MEMORY_LIMIT);
    }
  }

  @Test
  void peakMemoryIsMeasured() {
    String code = "def main(x):\n    b = bytearray(40 << 20)\n    return len(b)";
    ExecResult r = run(sandbox, Script.python(code), TIGHT);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.peakMemoryKb()).isGreaterThan(40 * 1024);
  }

  @Test
  void outputFloodIsOutputLimit() {
    Limits l = Limits.DEFAULTS.withMaxOutputBytes(10_000);
    ExecResult r = run(sandbox, Script.python("while True:\n    print('x' * 100)"), l);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OUTPUT_LIMIT);
    assertThat(r.stdout().length()).isLessThanOrEqualTo(10_000);
  }

  @Test
  void hugeResultIsOutputLimit() {
    Limits l = Limits.DEFAULTS.withMaxOutputBytes(10_000);
    ExecResult r = run(sandbox, Script.python("def main(x):\n    return 'y' * 100000"), l);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OUTPUT_LIMIT);
  }

  @Test
  void segfaultIsKilledWithSignal11() {
    ExecResult r = run(sandbox, Script.python("import ctypes\nctypes.string_at(0)"), TIGHT);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.KILLED);
    assertThat(r.signal()).isEqualTo(11);
    assertThat(r.exitCode()).isNull();
  }

  @Test
  void brokenInterpreterIsInternal() {
    try (Sandbox broken =
        Sandbox.create(
            SandboxConfig.builder().poolSize(0).python(Path.of("/usr/bin/false")).build())) {
      ExecResult r = run(broken, Script.python("print(1)"));
      assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.INTERNAL);
      assertThat(r.error().message()).contains("did not start");
    }
  }

  @Test
  void rlimitOnlyDetailsSayWhichMechanismWasUsed() {
    ExecResult r = run(rlimitsOnly, Script.python("def main(x):\n    return 1"));
    assertThat(r.details()).contains("RLIMIT_AS").doesNotContain("cgroup");
  }
}
