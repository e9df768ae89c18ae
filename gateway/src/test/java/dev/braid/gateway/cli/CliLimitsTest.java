package dev.braid.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.gateway.workflow.SmallStack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile files and inputs given to {@code braid check} and {@code braid run}, on the launcher's
 * 512 KiB stack: exit 2, one located line, never a stack dump.
 */
@Timeout(120)
class CliLimitsTest {
  private static final String PYTHON = Path.of("src/test/python").toAbsolutePath().toString();

  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  private static Result braid(String... args) throws Exception {
    return SmallStack.call(
        Duration.ofSeconds(60),
        () -> {
          StringWriter out = new StringWriter();
          StringWriter err = new StringWriter();
          int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
          return new Result(code, out.toString(), err.toString());
        });
  }

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  private static void assertNoStackDump(Result r) {
    assertThat(r.err())
        .doesNotContain("Exception")
        .doesNotContain("Error:")
        .doesNotContain("\tat ");
  }

  /** An 8-level "billion laughs" of under 600 bytes. */
  private static String bomb() {
    StringBuilder sb = new StringBuilder("steps:\n  s:\n    call: python:engine_funcs:echo\n");
    sb.append("    args:\n      - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i <= 8; i++) {
      sb.append("      - &a").append(i).append(" [");
      for (int j = 0; j < 9; j++) {
        sb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      sb.append("]\n");
    }
    return sb.toString();
  }

  @Test
  void checkRefusesAnAliasBombWithALocatedErrorAndExitTwo() throws Exception {
    Path f = write("bomb.yaml", bomb());
    Result r = braid("check", f.toString(), "--no-workers");
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err().strip())
        .matches(
            "\\Q"
                + f
                + "\\E:\\d+:\\d+: error: the file holds more than 100000 values once its YAML"
                + " aliases are expanded \\(an alias bomb\\?\\)");
    assertNoStackDump(r);
  }

  @Test
  void runRefusesAnAliasBombBeforeStartingAnything() throws Exception {
    Path f = write("bomb.yaml", bomb());
    Result r = braid("run", f.toString(), "--python-path", PYTHON, "--progress", "none");
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(f + ":").contains("once its YAML aliases are expanded");
    assertThat(r.out()).isEmpty();
    assertNoStackDump(r);
  }

  @Test
  void aFiveThousandTermExpressionExitsTwoWithoutAStackDump() throws Exception {
    String sum = "1" + " + 1".repeat(999);
    Path f =
        write(
            "sum.yaml",
            "steps:\n  s:\n    call: python:engine_funcs:echo\n    args: [\"${{ "
                + sum
                + " }}\"]\n");
    Result r = braid("check", f.toString(), "--no-workers");
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(f + ":4:271: error: the expression is nested more than 64 levels deep");
    assertNoStackDump(r);

    Path g =
        write(
            "long.yaml",
            "steps:\n  s:\n    call: python:engine_funcs:echo\n    args: [\"${{ "
                + "1"
                + " + 1".repeat(4999)
                + " }}\"]\n");
    r = braid("check", g.toString(), "--no-workers");
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(g + ":4:16: error: the expression is 19999 characters long; the limit is 4096");
    assertNoStackDump(r);
  }

  @Test
  void deepYamlExitsTwoWithTheLocation() throws Exception {
    Path f =
        write(
            "deep.yaml",
            "steps:\n  s:\n    call: python:engine_funcs:echo\n    args: "
                + "[".repeat(3000)
                + "]".repeat(3000)
                + "\n");
    Result r = braid("check", f.toString(), "--no-workers");
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(f + ":4:72: error: mappings and lists are nested more than 64 levels deep here");
    assertNoStackDump(r);
  }

  @Test
  void aDeepInputIsRefusedWithExitTwo() throws Exception {
    Path f =
        write("flow.yaml", "input: { x: any }\nsteps:\n  s: { call: python:engine_funcs:echo }\n");
    String deep = "{\"x\": " + "[".repeat(500) + "]".repeat(500) + "}";
    Result r = braid("check", f.toString(), "--no-workers", "--input", deep);
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("error: --input is nested more than 100 levels deep (arrays and objects)");
    assertNoStackDump(r);

    Path file = write("input.json", deep);
    r = braid("run", f.toString(), "--input", "@" + file, "--python-path", PYTHON);
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err())
        .startsWith(
            "error: --input file "
                + file
                + " is nested more than 100 levels deep (arrays and objects)");
    assertNoStackDump(r);
  }

  @Test
  void anInputAtTheDepthLimitRunsOnTheLaunchersStack() throws Exception {
    Path f =
        write(
            "flow.yaml",
            """
            input: { x: any }
            steps:
              s: { call: python:engine_funcs:echo, args: ["${{ input.x }}"] }
            output: "${{ steps.s == input.x }}"
            """);
    String deep = "{\"x\": " + "[".repeat(99) + "]".repeat(99) + "}";
    Result r =
        braid("run", f.toString(), "--input", deep, "--python-path", PYTHON, "--progress", "none");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().strip()).isEqualTo("true");
  }

  @Test
  void aLongNeedsChainAndDeepBlocksRunOnTheLaunchersStack() throws Exception {
    StringBuilder sb =
        new StringBuilder("steps:\n  s0: { call: python:engine_funcs:echo, args: [0] }\n");
    int n = 2000;
    for (int i = 1; i < n; i++) {
      sb.append("  s").append(i).append(": { call: python:engine_funcs:echo, args: [\"${{ steps.s");
      sb.append(i - 1).append(" + 1 }}\"] }\n");
    }
    sb.append("  deep:\n");
    String indent = "    ";
    for (int i = 0; i < 15; i++) {
      sb.append(indent).append("parallel:\n").append(indent).append("  branches:\n");
      sb.append(indent).append("    b").append(i).append(":\n");
      indent += "      ";
    }
    sb.append(indent)
        .append("call: python:engine_funcs:echo\n")
        .append(indent)
        .append("args: [1]\n");
    sb.append("output: \"${{ steps.s").append(n - 1).append(" }}\"\n");
    Path f = write("chain.yaml", sb.toString());
    Result r = braid("run", f.toString(), "--python-path", PYTHON, "--progress", "none");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().strip()).isEqualTo(String.valueOf(n - 1));
    assertNoStackDump(r);
  }
}
