package dev.braid.gateway.sandbox;

import static dev.braid.gateway.sandbox.Sandboxes.js;
import static dev.braid.gateway.sandbox.Sandboxes.json;
import static dev.braid.gateway.sandbox.Sandboxes.py;
import static dev.braid.gateway.sandbox.Sandboxes.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The script contract: main(input) sync/async, plain scripts, input, output, exceptions. */
@Timeout(60)
class SandboxContractTest {
  private static Sandbox sandbox;

  @BeforeAll
  static void start() {
    sandbox = Sandboxes.create(1);
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void pythonSyncMainReturnsItsValueAsJson() {
    ExecResult r =
        run(
            sandbox,
            Script.python("def main(x):\n    return {'twice': x * 2}").withInput(json("21")));
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.result()).isEqualTo(json("{\"twice\":42}"));
    assertThat(r.exitCode()).isZero();
    assertThat(r.signal()).isNull();
    assertThat(r.wallMillis()).isPositive();
  }

  @Test
  void pythonAsyncMainIsAwaited() {
    ExecResult r =
        run(
            sandbox,
            Script.python(
                    "import asyncio\nasync def main(x):\n    await asyncio.sleep(0.01)\n"
                        + "    return [x['a'], 'done']")
                .withInput(json("{\"a\":1}")));
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.result()).isEqualTo(json("[1,\"done\"]"));
  }

  @Test
  void jsAsyncMainIsAwaited() {
    ExecResult r =
        run(
            sandbox,
            Script.js(
                    "export async function main(x) {\n"
                        + "  await new Promise(r => setTimeout(r, 10));\n"
                        + "  return { sum: x.reduce((a, b) => a + b, 0) };\n}")
                .withInput(json("[1,2,3]")));
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.result()).isEqualTo(json("{\"sum\":6}"));
  }

  @Test
  void outputWrittenJustBeforeTheAnswerIsNeverLost() {
    // The run settles on the answer and the sandbox is killed at once: whatever the script wrote
    // is still in the pipes then, and must all be read (a kill through Process.destroyForcibly
    // would close the gateway's ends and lose it). Several runs, as it is a race.
    for (int i = 0; i < 4; i++) {
      ExecResult p =
          py(
              sandbox,
              "import sys\ndef main(x):\n    sys.stdout.write('o' * 40000)\n"
                  + "    sys.stderr.write('e' * 30000)\n    return 1");
      assertThat(p.verdict()).as(p.toString()).isEqualTo(Verdict.OK);
      assertThat(p.stdout()).hasSize(40000);
      assertThat(p.stderr()).hasSize(30000);
      ExecResult j =
          js(
              sandbox,
              "export function main() { process.stdout.write('o'.repeat(40000));\n"
                  + "  process.stderr.write('e'.repeat(30000)); return 1; }");
      assertThat(j.verdict()).as(j.toString()).isEqualTo(Verdict.OK);
      assertThat(j.stdout()).hasSize(40000);
      assertThat(j.stderr()).hasSize(30000);
    }
  }

  @Test
  void plainScriptsStdoutIsTheResult() {
    ExecResult p = py(sandbox, "print('hello from python')");
    assertThat(p.verdict()).as(p.toString()).isEqualTo(Verdict.OK);
    assertThat(p.result().asText()).isEqualTo("hello from python\n");
    ExecResult j = js(sandbox, "console.log('hello from node')");
    assertThat(j.verdict()).as(j.toString()).isEqualTo(Verdict.OK);
    assertThat(j.result().asText()).isEqualTo("hello from node\n");
  }

  @Test
  void stdoutAndStderrAreCapturedAndStreamedInOrder() {
    Sandboxes.Recorder rec = new Sandboxes.Recorder();
    String code =
        "import sys, time\n"
            + "def main(n):\n"
            + "    for i in range(n):\n"
            + "        print('out', i)\n"
            + "        print('err', i, file=sys.stderr)\n"
            + "        time.sleep(0.01)\n"
            + "    return n\n";
    ExecResult r = run(sandbox, Script.python(code).withInput(json("20")), Limits.DEFAULTS, rec);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      out.append("out ").append(i).append('\n');
      err.append("err ").append(i).append('\n');
    }
    assertThat(r.stdout()).isEqualTo(out.toString());
    assertThat(r.stderr()).isEqualTo(err.toString());
    assertThat(rec.out()).isEqualTo(out.toString());
    assertThat(rec.err()).isEqualTo(err.toString());
    // streamed as they came, not in one piece at the end
    assertThat(rec.stdout.size()).isGreaterThan(1);
  }

  @Test
  void jsStdoutAndStderrAreCaptured() {
    Sandboxes.Recorder rec = new Sandboxes.Recorder();
    ExecResult r =
        run(
            sandbox,
            Script.js(
                "export function main() { console.log('o1'); console.error('e1'); return 1 }"),
            Limits.DEFAULTS,
            rec);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.stdout()).isEqualTo("o1\n");
    assertThat(r.stderr()).isEqualTo("e1\n");
    assertThat(rec.out()).isEqualTo("o1\n");
  }

  @Test
  void pythonExceptionIsRuntimeErrorWithTypeMessageAndStack() {
    ExecResult r =
        run(
            sandbox,
            Script.python("def main(x):\n    raise ValueError('bad input: ' + str(x))\n")
                .withFilename("check.py")
                .withInput(json("7")));
    assertThat(r.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(r.error().type()).isEqualTo("ValueError");
    assertThat(r.error().message()).isEqualTo("bad input: 7");
    assertThat(r.error().language()).isEqualTo("python");
    assertThat(r.error().stack()).contains("check.py", "line 2", "raise ValueError");
    assertThat(r.exitCode()).isEqualTo(1);
  }

  @Test
  void jsRejectionIsRuntimeErrorWithTypeAndMessage() {
    ExecResult r =
        js(sandbox, "export async function main() { throw new TypeError('not a number') }");
    assertThat(r.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(r.error().type()).isEqualTo("TypeError");
    assertThat(r.error().message()).isEqualTo("not a number");
    assertThat(r.error().language()).isEqualTo("node");
  }

  @Test
  void nonZeroExitOfAPlainScriptIsRuntimeError() {
    ExecResult r = py(sandbox, "import sys\nprint('partial')\nsys.exit(3)");
    assertThat(r.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(r.error().type()).isEqualTo("SystemExit");
    ExecResult j = js(sandbox, "process.exit(4)");
    assertThat(j.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(j.exitCode()).isEqualTo(4);
  }

  @Test
  void resultThatIsNotJsonIsRuntimeError() {
    ExecResult r = py(sandbox, "def main(x):\n    return object()");
    assertThat(r.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(r.error().message()).contains("not JSON");
  }

  @Test
  void detailsNameTheMechanisms() {
    ExecResult r = py(sandbox, "def main(x):\n    return 1");
    assertThat(r.details()).contains("bubblewrap", "RLIMIT_NPROC", "RLIMIT_CPU");
    // memory: the cgroup where there is one, else RLIMIT_AS, never both (reserved address space
    // is not memory: see SandboxMemoryTest)
    assertThat(r.details()).containsAnyOf("memory 256 MiB: cgroup;", "memory 256 MiB: RLIMIT_AS;");
  }
}
