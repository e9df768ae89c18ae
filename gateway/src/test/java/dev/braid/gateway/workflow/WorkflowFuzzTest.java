package dev.braid.gateway.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.ThreadMXBean;
import dev.braid.gateway.fuzz.Fuzz;
import dev.braid.gateway.fuzz.Fuzz.Gen;
import dev.braid.gateway.workflow.expr.Bindings;
import dev.braid.gateway.workflow.expr.Expression;
import dev.braid.gateway.workflow.expr.ExpressionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the workflow reader, the checker and the expression parser/evaluator with structurally
 * interesting inputs: mutations of the example and test workflows (YAML anchors and aliases,
 * expressions, brackets spliced in), random expressions, deep nesting. Every input must end in a
 * result or a located error, on the launcher's 512 KiB stack, within a time and an allocation
 * bound: never another exception.
 *
 * <p>Tries and seed: see {@link Fuzz} ({@code -Dbraid.fuzz.tries=N}, {@code -Dbraid.fuzz.seed=S} on
 * the mvn command line); a failure prints the seed and the input.
 */
class WorkflowFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Far above what any input within the limits takes; a hang guard, not a speed check. */
  private static final Duration MAX = Duration.ofSeconds(20);

  /** Bytes one input may allocate on its thread: a bound on the memory it can cost. */
  private static final long MAX_ALLOCATED = 512L << 20;

  private static final List<String> CORPUS = corpus();

  private static final List<String> SPLICES =
      List.of(
          "&a ",
          "*a",
          "<<: *a",
          "&b [1, *a]",
          "${{ ",
          " }}",
          "${{ steps.",
          "${{ input.",
          "[",
          "]",
          "{",
          "}",
          "- ",
          ": ",
          "\n",
          "\n  ",
          "\n      ",
          "'",
          "\"",
          "needs: [",
          "parallel:",
          "try:",
          "catch:",
          "steps:",
          "for_each: ",
          "do:",
          "as: x",
          "switch:",
          "retry:",
          "---",
          "#",
          "\t",
          "\\",
          "&",
          "*",
          "!!binary ",
          "? ",
          ",",
          "1 + 1 + 1",
          "((",
          "))",
          "\u0000",
          "\uD83D\uDE42");

  private static List<String> corpus() {
    List<Path> roots = List.of(Path.of("../examples"), Path.of("src/test/resources/workflows"));
    List<String> out = new ArrayList<>();
    for (Path root : roots) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(WorkflowFuzzTest::isWorkflow).sorted().toList()) {
          out.add(Files.readString(f));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    assertThat(out).hasSizeGreaterThan(10);
    return out;
  }

  private static boolean isWorkflow(Path f) {
    String n = f.getFileName().toString();
    return n.endsWith(".yaml") || n.endsWith(".yml");
  }

  /** Runs {@code work} as the CLI would, and asserts it stayed within the bounds. */
  private static <T> T bounded(Callable<T> work) throws Exception {
    return SmallStack.call(
        MAX,
        () -> {
          ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
          long id = Thread.currentThread().getId();
          long before = mx.getThreadAllocatedBytes(id);
          T result = work.call();
          assertThat(mx.getThreadAllocatedBytes(id) - before)
              .as("bytes allocated")
              .isLessThan(MAX_ALLOCATED);
          return result;
        });
  }

  /** Parses and checks {@code text}: a list of located diagnostics, or one located error. */
  private static void checkEndsInAResultOrALocatedError(String name, String text) throws Exception {
    List<Diagnostic> problems =
        bounded(
            () -> {
              try {
                ParsedWorkflow p = ParsedWorkflow.parse(Path.of(name), text);
                return new WorkflowChecker(new FakeCatalog())
                    .check(p, JSON.readTree("{\"userId\": 7}"));
              } catch (WorkflowSyntaxException e) {
                assertThat(e.at()).as(e.getMessage()).isNotNull();
                assertThat(e.getMessage()).doesNotContain("\n").isNotBlank();
                return List.of();
              }
            });
    for (Diagnostic d : problems) {
      assertThat(d.at()).as(d.message()).isNotNull();
      assertThat(d.at().line()).isPositive();
      assertThat(d.message()).isNotBlank().hasSizeLessThan(2_000);
    }
  }

  @Test
  void mutatedWorkflowsEndInAResultOrALocatedError() {
    Fuzz.forAll(
        "mutatedWorkflowsEndInAResultOrALocatedError",
        mutants(),
        text -> checkEndsInAResultOrALocatedError("mutant.yaml", text));
  }

  @Test
  void mutatedWorkflowsAsJsonToo() {
    Fuzz.forAll(
        "mutatedWorkflowsAsJsonToo",
        50,
        mutants(),
        text -> checkEndsInAResultOrALocatedError("mutant.json", text));
  }

  @Test
  void deepAndAliasedStructuresEndInAResultOrALocatedError() {
    Fuzz.forAll(
        "deepAndAliasedStructuresEndInAResultOrALocatedError",
        60,
        nested(),
        text -> checkEndsInAResultOrALocatedError("nested.yaml", text));
  }

  @Test
  void expressionsParseAndEvaluateOrFailWithAnOffset() throws Exception {
    Bindings b =
        Bindings.of(
            Map.of(
                "input", JSON.readTree("{\"userId\": 7, \"tags\": [\"a\", \"b\"], \"s\": \"x\"}"),
                "steps", JSON.readTree("{\"a\": {\"b\": [1, 2.5, null, true]}}")));
    Fuzz.forAll(
        "expressionsParseAndEvaluateOrFailWithAnOffset",
        expressions(),
        source ->
            bounded(
                () -> {
                  try {
                    Expression e = Expression.parse(source);
                    e.references();
                    e.evaluate(b);
                  } catch (ExpressionException e) {
                    assertThat(e.offset()).isBetween(0, source.length());
                    assertThat(e.getMessage()).isNotBlank();
                  }
                  return null;
                }));
  }

  static Gen<String> mutants() {
    Gen<String> base = Fuzz.of(CORPUS);
    Gen<List<Mutation>> edits = mutation().list(1, 8);
    return r -> {
      String t = base.next(r);
      for (Mutation m : edits.next(r)) {
        t = m.apply(t);
      }
      return t;
    };
  }

  /** One edit at a relative position (0..1) of the text. */
  record Mutation(int kind, double at, double to, String splice) {
    String apply(String t) {
      int n = t.length();
      int i = (int) (at * n);
      int j = Math.min(n, i + (int) (to * Math.min(n, 200)));
      return switch (kind) {
        case 0 -> t.substring(0, i) + splice + t.substring(i);
        case 1 -> t.substring(0, i) + t.substring(j);
        case 2 -> t.substring(0, j) + t.substring(i, j) + t.substring(j);
        default -> t.substring(0, i) + splice.repeat(1 + (int) (to * 300)) + t.substring(i);
      };
    }
  }

  private static Gen<Mutation> mutation() {
    Gen<Integer> kind = Fuzz.ints(0, 3);
    Gen<Double> at = Fuzz.unitDoubles();
    Gen<Double> to = Fuzz.unitDoubles();
    Gen<String> splice = Fuzz.oneOf(Fuzz.of(SPLICES), Fuzz.strings(6, ' ', '~'));
    return r -> new Mutation(kind.next(r), at.next(r), to.next(r), splice.next(r));
  }

  static Gen<String> nested() {
    Gen<Integer> depth = Fuzz.ints(1, 300);
    Gen<Integer> kind = Fuzz.ints(0, 4);
    return r -> {
      int d = depth.next(r);
      int k = kind.next(r);
      return switch (k) {
        case 0 ->
            "steps:\n  s:\n    call: python:util:work\n    args: "
                + "[".repeat(d)
                + "]".repeat(d)
                + "\n";
        case 1 ->
            "steps:\n  s:\n    call: python:util:work\n    with: "
                + "{a: ".repeat(d)
                + "1"
                + "}".repeat(d)
                + "\n";
        case 2 -> aliasChain(Math.min(d, 12), 2 + d % 9);
        case 3 -> needsChain(d * 20);
        default -> nestedBlocks(Math.min(d, 40));
      };
    };
  }

  private static String aliasChain(int levels, int width) {
    StringBuilder sb = new StringBuilder("steps:\n  s:\n    call: python:util:work\n    args:\n");
    sb.append("      - &a0 [x]\n");
    for (int i = 1; i <= levels; i++) {
      sb.append("      - &a").append(i).append(" [");
      for (int j = 0; j < width; j++) {
        sb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      sb.append("]\n");
    }
    return sb.toString();
  }

  private static String needsChain(int n) {
    StringBuilder sb = new StringBuilder("steps:\n  s0: { call: python:util:work }\n");
    for (int i = 1; i < n; i++) {
      sb.append("  s").append(i).append(": { call: python:util:work, needs: [s");
      sb.append(i - 1).append("], args: [\"${{ steps.s").append(i - 1).append(" }}\"] }\n");
    }
    return sb.toString();
  }

  private static String nestedBlocks(int levels) {
    StringBuilder sb = new StringBuilder("steps:\n");
    String indent = "  ";
    for (int i = 0; i < levels; i++) {
      sb.append(indent).append("p").append(i).append(":\n");
      sb.append(indent).append("  parallel:\n").append(indent).append("    branches:\n");
      indent += "      ";
    }
    sb.append(indent).append("leaf: { call: python:util:work }\n");
    return sb.toString();
  }

  static Gen<String> expressions() {
    Gen<String> tokens =
        Fuzz.of(
                "1",
                "2.5",
                "1e308",
                "99999999999999999999",
                "'s'",
                "\"t\"",
                "input",
                "steps",
                "input.userId",
                "input.tags",
                "steps.a.b",
                "[0]",
                "['x']",
                ".x",
                "true",
                "null",
                "len(",
                "default(",
                "contains(",
                "(",
                ")",
                "[",
                "]",
                ",",
                "+",
                "-",
                "*",
                "/",
                "%",
                "==",
                "!=",
                "<",
                "<=",
                "&&",
                "||",
                "!",
                " ",
                "'",
                "\\",
                "?",
                "{")
            .list(0, 60)
            .map(l -> String.join("", l));
    return Fuzz.oneOf(tokens, wellFormed(6), deepExpressions());
  }

  private static Gen<String> wellFormed(int depth) {
    Gen<String> leaf =
        Fuzz.of(
            "1",
            "0",
            "-3",
            "2.5",
            "'a'",
            "input.userId",
            "input.tags",
            "steps.a.b[1]",
            "input.s",
            "null",
            "true",
            "[1, 2]");
    if (depth == 0) {
      return leaf;
    }
    Gen<String> sub = r -> wellFormed(depth - 1).next(r);
    Gen<String> op = Fuzz.of("+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||");
    return Fuzz.frequency(
        Fuzz.weight(3, leaf),
        Fuzz.weight(
            2,
            r -> {
              String a = sub.next(r);
              String o = op.next(r);
              String c = sub.next(r);
              return "(" + a + " " + o + " " + c + ")";
            }),
        Fuzz.weight(1, sub.map(a -> "len(" + a + ")")),
        Fuzz.weight(
            1,
            r -> {
              String a = sub.next(r);
              return "default(" + a + ", " + sub.next(r) + ")";
            }),
        Fuzz.weight(
            1,
            r -> {
              String a = sub.next(r);
              return "contains(" + a + ", " + sub.next(r) + ")";
            }),
        Fuzz.weight(1, sub.map(a -> "!" + a)),
        Fuzz.weight(1, sub.map(a -> "[" + a + "][0]")));
  }

  private static Gen<String> deepExpressions() {
    Gen<Integer> count = Fuzz.ints(1, 1200);
    Gen<String> units = Fuzz.of("1 + ", "!", "-", "(", "[", "len(", "input.tags[", "a.");
    return r -> {
      int n = count.next(r);
      String unit = units.next(r);
      String closing =
          switch (unit) {
            case "(", "len(" -> ")";
            case "[", "input.tags[" -> "]";
            default -> "";
          };
      return unit.repeat(n) + "1" + closing.repeat(n);
    };
  }
}
