package dev.braid.gateway.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile workflow files end in a located error, quickly and on the launcher's 512 KiB stack: alias
 * bombs, deep nesting, huge files, huge expressions, long dependency chains.
 */
@Timeout(60)
class WorkflowLimitsTest {
  private static final Duration MAX = Duration.ofSeconds(20);

  /** A "billion laughs": each level a list of nine aliases of the level before. */
  static String aliasBomb(int levels) {
    StringBuilder sb = new StringBuilder();
    sb.append("steps:\n  s:\n    call: python:util:work\n    args:\n");
    sb.append("      - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i <= levels; i++) {
      sb.append("      - &a").append(i).append(" [");
      for (int j = 0; j < 9; j++) {
        sb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      sb.append("]\n");
    }
    return sb.toString();
  }

  /** Everything the CLI does with a file before running it: parse, then every check. */
  private static List<String> check(String name, String text) throws Exception {
    return SmallStack.call(
        MAX,
        () -> {
          ParsedWorkflow p = ParsedWorkflow.parse(Path.of(name), text);
          return new WorkflowChecker(new FakeCatalog())
              .check(p, null).stream().map(Diagnostic::render).toList();
        });
  }

  private static WorkflowSyntaxException refused(String name, String text) {
    Throwable t = catchThrowable(() -> check(name, text));
    assertThat(t).isInstanceOf(WorkflowSyntaxException.class);
    return (WorkflowSyntaxException) t;
  }

  @Test
  void aDiagnosticQuotingHugeTextStaysOneShortLineWithBothEnds() throws Exception {
    String type = "stri" + "x".repeat(5_000) + "END";
    List<String> problems = check("big.yaml", "input:\n  tier: " + type + "\nsteps: {}\n");
    assertThat(problems).isNotEmpty();
    String first = problems.get(0);
    assertThat(first).startsWith("big.yaml:2:9: error: the type of input field 'tier'");
    assertThat(first).hasSizeLessThan(1_100).contains("stri").contains("END'").doesNotContain("\n");
  }

  @Test
  void anAliasBombIsRefusedAtTheAliasThatExpandsPastTheLimit() {
    String bomb = aliasBomb(8);
    assertThat(bomb.length()).isLessThan(600);
    WorkflowSyntaxException e = refused("bomb.yaml", bomb);
    assertThat(e.render())
        .matches(
            "bomb\\.yaml:\\d+:\\d+: error: the file holds more than 100000 values once its YAML"
                + " aliases are expanded \\(an alias bomb\\?\\)");
    assertThat(e.at().line()).isBetween(6, 13);
  }

  @Test
  void aFewAliasesAreFine() throws Exception {
    assertThat(check("ok.yaml", aliasBomb(3))).isEmpty();
  }

  @Test
  void moreThanAThousandAliasesAreRefused() {
    StringBuilder sb = new StringBuilder("steps:\n  s:\n    call: python:util:work\n");
    sb.append("    args: [&d [x]");
    for (int i = 0; i < 1001; i++) {
      sb.append(", *d");
    }
    sb.append("]\n");
    WorkflowSyntaxException e = refused("many.yaml", sb.toString());
    assertThat(e.render()).startsWith("many.yaml:4:").contains("more than 1000 YAML aliases");
  }

  @Test
  void deepNestingIsRefusedWhereItGoesTooDeep() {
    int levels = 200;
    String text =
        "steps:\n  s:\n    call: python:util:work\n    args: "
            + "[".repeat(levels)
            + "]".repeat(levels)
            + "\n";
    WorkflowSyntaxException e = refused("deep.yaml", text);
    // the root mapping, steps:, s: and 61 lists
    assertThat(e.render())
        .isEqualTo(
            "deep.yaml:4:"
                + (11 + 61)
                + ": error: mappings and lists are nested more than 64"
                + " levels deep here");
  }

  @Test
  void deepJsonIsRefusedToo() {
    String text =
        "{\"steps\": {\"s\": {\"call\": \"python:util:work\", \"args\": "
            + "[".repeat(500)
            + "]".repeat(500)
            + "}}}";
    WorkflowSyntaxException e = refused("deep.json", text);
    assertThat(e.render()).startsWith("deep.json:1:").contains("nested more than 64 levels");
  }

  @Test
  void aFileOverOneMebibyteIsRefused() {
    String text = "steps: { s: { call: python:util:work } }\n" + "#".repeat(1 << 20) + "\n";
    WorkflowSyntaxException e = refused("big.yaml", text);
    assertThat(e.render())
        .isEqualTo(
            "big.yaml:1:1: error: the workflow is "
                + text.length()
                + " characters long; the limit is 1048576 (1 MiB)");
  }

  @Test
  void readingAHugeFileStopsAtTheLimit(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("huge.yaml");
    Files.writeString(f, "steps: {}\n" + "#".repeat(3 << 20));
    Throwable t = catchThrowable(() -> ParsedWorkflow.read(f));
    assertThat(t)
        .isInstanceOf(WorkflowSyntaxException.class)
        .hasMessage(f + " is larger than 1048576 bytes (1 MiB), the limit");
  }

  @Test
  void aFiveThousandTermExpressionIsALocatedErrorNotAStackOverflow() throws Exception {
    String sum = "1" + " + 1".repeat(4999);
    // under the length limit, so that the depth limit is what refuses it
    String text =
        "steps:\n  s:\n    call: python:util:work\n    args: [\"${{ "
            + sum.substring(0, 4000)
            + "1 }}\"]\n";
    List<String> out = check("sum.yaml", text);
    // the expression's text starts at column 16 (with its leading space); the 64th '+', whose
    // tree is 65 deep, is at offset 4 * 64 - 1
    int column = 16 + 4 * 64 - 1;
    assertThat(out)
        .containsExactly(
            "sum.yaml:4:" + column + ": error: the expression is nested more than 64 levels deep");
  }

  @Test
  void anExpressionOverTheLengthLimitIsRefused() throws Exception {
    String sum = "1" + " + 1".repeat(4999);
    String text = "steps:\n  s:\n    call: python:util:work\n    args: [\"${{ " + sum + " }}\"]\n";
    List<String> out = check("sum.yaml", text);
    assertThat(out)
        .containsExactly(
            "sum.yaml:4:16: error: the expression is 19999 characters long; the limit is 4096");
  }

  @Test
  void aLongNeedsChainIsCheckedWithoutOverflowingTheStack() throws Exception {
    StringBuilder sb = new StringBuilder("steps:\n  s0: { call: python:util:work }\n");
    int n = 5000;
    for (int i = 1; i < n; i++) {
      sb.append("  s").append(i).append(": { call: python:util:work, needs: [s");
      sb.append(i - 1).append("] }\n");
    }
    assertThat(check("chain.yaml", sb.toString())).isEmpty();
    // and a cycle through the whole chain is still found, named in a bounded message
    sb.append("  s").append(n).append(": { call: python:util:work, needs: [s");
    sb.append(n - 1).append(", s").append(n).append("] }\n");
    sb.replace(
        sb.indexOf("s0: { call: python:util:work }"),
        sb.indexOf("s0: { call: python:util:work }") + "s0: { call: python:util:work }".length(),
        "s0: { call: python:util:work, needs: [s" + n + "] }");
    List<String> out = check("cycle.yaml", sb.toString());
    assertThat(out).hasSize(2);
    assertThat(out.get(0))
        .startsWith("cycle.yaml:2:")
        .contains("dependency cycle: s0 -> s5000 -> s4999 -> ")
        .contains(" -> s1 -> s0 ")
        .hasSizeLessThan(400);
    assertThat(out.get(1)).isEqualTo("cycle.yaml:5002:51: error: step 's5000' refers to itself");
  }

  @Test
  void deeplyNestedBlocksAreCheckedOnASmallStack() throws Exception {
    // as deep as the nesting limit allows: each try block is 4 levels (step, try, steps, step)
    String text = "steps:\n" + nestedTry(15, "  ") + "";
    assertThat(check("nested.yaml", text)).isEmpty();
  }

  private static String nestedTry(int levels, String indent) {
    if (levels == 0) {
      return indent + "leaf: { call: python:util:work }\n";
    }
    return indent
        + "t"
        + levels
        + ":\n"
        + indent
        + "  try:\n"
        + indent
        + "    steps:\n"
        + nestedTry(levels - 1, indent + "      ")
        + indent
        + "  finally:\n"
        + indent
        + "    steps: { f"
        + levels
        + ": { call: python:util:work } }\n";
  }

  @Test
  void aScriptFileThatNeverEndsIsReadOnlyUpToTheLimit() throws Exception {
    // /dev/zero: an inline workflow sent to the server could name it; it was read to the heap's end
    List<String> out =
        check("script.yaml", "steps:\n  s:\n    script: { lang: python, file: /dev/zero }\n");
    assertThat(out)
        .containsExactly(
            "script.yaml:3:35: error: script file '/dev/zero' is larger than 1048576 bytes (1 MiB),"
                + " the limit");
  }

  @Test
  void aDeepInputIsRefusedByTheInputReader() {
    ObjectMapper m = WorkflowLimits.inputMapper();
    Throwable t = catchThrowable(() -> m.readTree("[".repeat(2000) + "]".repeat(2000)));
    assertThat(t).hasMessageContaining("nesting depth");
  }
}
