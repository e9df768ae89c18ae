package dev.braid.gateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code braid exec}: result on stdout, streamed output on stderr, exit codes 0/1/2, --json. */
@Timeout(60)
class ExecCommandTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void needsBwrap() {
    Sandboxes.assumeBwrap();
  }

  private static Result braid(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  private String script(String name, String code) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, code);
    return p.toString();
  }

  @Test
  void okPrintsTheResultAndStreamsOutputToStderr() throws IOException {
    String f =
        script(
            "add.py",
            "import sys\ndef main(x):\n    print('working', file=sys.stderr)\n"
                + "    print('progress')\n    return {'sum': x['a'] + x['b']}\n");
    Result r = braid("exec", "--lang", "python", f, "--input", "{\"a\":1,\"b\":2}");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().strip()).isEqualTo("{\"sum\":3}");
    assertThat(r.err()).contains("working").contains("progress");
  }

  @Test
  void languageComesFromTheExtension() throws IOException {
    String f = script("double.mjs", "export const main = async (x) => x * 2;\n");
    Result r = braid("exec", f, "--input", "21");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().strip()).isEqualTo("42");
  }

  @Test
  void otherVerdictsExitOneWithTheVerdictOnStderr() throws IOException {
    String f = script("boom.py", "def main(x):\n    raise KeyError('nope')\n");
    Result r = braid("exec", "--lang", "python", f);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("error: RUNTIME_ERROR: KeyError: 'nope'");
    String loop = script("loop.py", "while True:\n    pass\n");
    Result t = braid("exec", "--lang", "python", loop, "--cpu", "1s", "--timeout", "20s");
    assertThat(t.code()).isEqualTo(1);
    assertThat(t.err()).contains("TIME_LIMIT");
  }

  @Test
  void jsonPrintsTheWholeVerdict() throws IOException {
    String f = script("sleep.py", "import time\nprint('before')\ntime.sleep(30)\n");
    Result r = braid("exec", "--lang", "python", f, "--timeout", "1s", "--json");
    assertThat(r.code()).isEqualTo(1);
    JsonNode j = Sandboxes.json(r.out());
    assertThat(j.get("verdict").asText()).isEqualTo("WALL_TIME_LIMIT");
    assertThat(j.get("stdout").asText()).isEqualTo("before\n");
    assertThat(j.get("signal").asInt()).isEqualTo(9);
    assertThat(j.get("exit_code").isNull()).isTrue();
    assertThat(j.get("wall_ms").asLong()).isGreaterThanOrEqualTo(900);
    assertThat(j.has("cpu_ms")).isTrue();
    assertThat(j.has("memory_kb")).isTrue();
    assertThat(j.get("result").isNull()).isTrue();
    assertThat(r.err()).as("nothing streamed with --json").doesNotContain("before");
    String ok = script("ok.py", "def main(x):\n    return [x, 1]\n");
    Result o = braid("exec", "--lang", "python", ok, "--input", "\"t\"", "--json");
    assertThat(o.code()).isZero();
    JsonNode oj = Sandboxes.json(o.out());
    assertThat(oj.get("verdict").asText()).isEqualTo("OK");
    assertThat(oj.get("result")).isEqualTo(Sandboxes.json("[\"t\",1]"));
    assertThat(oj.get("exit_code").asInt()).isZero();
  }

  @Test
  void aScriptsTerminalEscapesAreShownNotObeyed() throws IOException {
    // retitle the window, clear the screen, return the cursor; C1 CSI; a bidi override
    String f =
        script(
            "esc.py",
            "import sys\n"
                + "def main(x):\n"
                + "    print('\\x1b]0;pwned\\x07\\x1b[2J\\tok\\rover')\n"
                + "    print('\\x9b31m\\u202eevil', file=sys.stderr)\n"
                + "    return 'r\\x1b[2J\\x7f\\x9b'\n");
    Result r = braid("exec", "--lang", "python", f);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        // stdout and stderr are two pipes: their chunks may interleave in either order
        .contains("\\x1b]0;pwned\\x07\\x1b[2J\tok\\rover")
        .contains("\\x9b31m\\u202eevil")
        .doesNotContain("\u001b")
        .doesNotContain("\u0007")
        .doesNotContain("\r")
        .doesNotContain("\u009b")
        .doesNotContain("\u202e");
    // the result is JSON that reads back to the exact value, with nothing raw in it
    assertThat(r.out()).doesNotContain("\u001b").doesNotContain("\u007f").doesNotContain("\u009b");
    assertThat(Sandboxes.json(r.out()).asText()).isEqualTo("r\u001b[2J\u007f\u009b");

    String boom = script("boom.py", "def main(x):\n    raise ValueError('\\x1b[2Jgone')\n");
    Result e = braid("exec", "--lang", "python", boom);
    assertThat(e.code()).isEqualTo(1);
    assertThat(e.err()).contains("ValueError: \\x1b[2Jgone").doesNotContain("\u001b");

    // --json stays exact
    Result j = braid("exec", "--lang", "python", f, "--json");
    JsonNode out = Sandboxes.json(j.out());
    assertThat(out.get("stdout").asText()).isEqualTo("\u001b]0;pwned\u0007\u001b[2J\tok\rover\n");
    assertThat(out.get("stderr").asText()).isEqualTo("\u009b31m\u202eevil\n");
  }

  @Test
  void badUsageExitsTwo() throws IOException {
    String f = script("x.py", "print(1)\n");
    assertThat(braid("exec", "--lang", "cobol", f).code()).isEqualTo(2);
    assertThat(braid("exec", "--lang", "python", f, "--input", "{nope").code()).isEqualTo(2);
    Result missing = braid("exec", "--lang", "python", dir.resolve("missing.py").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err())
        .contains("cannot read " + dir.resolve("missing.py") + ": no such file");
    assertThat(braid("exec", "--lang", "python", f, "--timeout", "soon").code()).isEqualTo(2);
    assertThat(braid("exec", "--lang", "python", f, "--memory", "1").code()).isEqualTo(2);
    Result noLang = braid("exec", script("x.txt", "print(1)"));
    assertThat(noLang.code()).isEqualTo(2);
    assertThat(noLang.err()).contains("--lang");
  }

  @Test
  void missingBwrapIsRefusedWithTheInstallCommand() throws IOException {
    String f = script("x.py", "print(1)\n");
    Result r = braid("exec", "--lang", "python", f, "--bwrap", "/nonexistent/bwrap");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("apt-get install bubblewrap").contains("--unsafe-no-sandbox");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void unsafeModeWarnsLoudlyOnEveryUse() throws IOException {
    String f = script("x.py", "def main(x):\n    return 'ran'\n");
    for (int i = 0; i < 2; i++) {
      Result r =
          braid("exec", "--lang", "python", f, "--unsafe-no-sandbox", "--bwrap", "/nonexistent");
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out().strip()).isEqualTo("\"ran\"");
      assertThat(r.err()).contains("WARNING: --unsafe-no-sandbox").contains("WITHOUT any sandbox");
    }
  }
}
