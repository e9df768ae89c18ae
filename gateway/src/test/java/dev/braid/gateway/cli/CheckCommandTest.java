package dev.braid.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code braid check}: exit codes, messages, and functions looked up in real workers. */
@Timeout(120)
class CheckCommandTest {
  private static final String WORKFLOWS = "src/test/resources/workflows";
  private static final String TEST_CLASSES =
      Path.of("target/test-classes").toAbsolutePath().toString();

  record Result(int code, String out, String err) {}

  private static Result braid(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  /** The diagnostic lines of stderr (workers may log there too). */
  private static List<String> diagnostics(Result r) {
    return r.err().lines().filter(l -> l.contains(": error: ")).toList();
  }

  @Test
  void aValidFileWithRealFunctionsPrintsNothingAndExitsZero() {
    Result r =
        braid(
            "check",
            WORKFLOWS + "/workers/ok.yaml",
            "--input",
            "{\"userId\": 7}",
            "--java-classpath",
            TEST_CLASSES);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(diagnostics(r)).isEmpty();
  }

  @Test
  void functionsTheWorkersDoNotHaveAreErrorsWithSuggestions() {
    String file = WORKFLOWS + "/workers/typos.yaml";
    Result r = braid("check", file, "--java-classpath", TEST_CLASSES);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(diagnostics(r))
        .containsExactly(
            file
                + ":3:20: error: Python module 'shop.users' has no public function 'get_profil';"
                + " did you mean 'get_profile'?",
            file
                + ":4:19: error: Node module 'orders.mjs' has no public function 'getOrder'; did"
                + " you mean 'getOrders'?",
            file
                + ":5:21: error: unknown function 'java:dev.braid.gateway.fixtures.Greeter#gret':"
                + " dev.braid.gateway.fixtures.Greeter has no public method gret",
            file
                + ":6:20: error: python:shop.users:batches is an async generator: consume it with"
                + " stream: (one item at a time)",
            file
                + ":7:20: error: cannot load Python module 'shop.nothing':"
                + " ModuleNotFoundError: No module named 'shop.nothing'");
  }

  @Test
  void withKeysTheFunctionHasNoParameterForAreErrorsInEveryLanguage(@TempDir Path dir)
      throws Exception {
    Files.writeString(
        dir.resolve("greet.py"), "async def greet(name, greeting='hi'):\n    return name\n");
    Files.writeString(
        dir.resolve("greet.mjs"),
        "export async function greet(name, greeting = 'hi') { return name; }\n"
            + "export async function anything({ name }) { return name; }\n");
    Path flow = dir.resolve("flow.yaml");
    Files.writeString(
        flow,
        """
        steps:
          py: { call: python:greet:greet, with: { nme: Ada } }
          js: { call: node:greet.mjs#greet, with: { name: Ada, salute: Hi } }
          ok: { call: node:greet.mjs#greet, with: { greeting: Hi, name: Ada } }
          open: { call: node:greet.mjs#anything, with: { whatever: 1 } }
        """);
    Result r = braid("check", flow.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(diagnostics(r))
        .containsExactly(
            flow
                + ":2:41: error: python:greet:greet has no parameter 'nme' (its parameters: name,"
                + " greeting; did you mean 'name'?)",
            flow
                + ":3:43: error: node:greet.mjs#greet has no parameter 'salute' (its parameters:"
                + " name, greeting); name its parameters in with:, or pass values in order in"
                + " args:");
  }

  @Test
  void aModuleThatFailsToLoadShowsTheCauseInTheErrorItself(@TempDir Path dir) throws Exception {
    // http.py next to the workflow shadows the standard library's http package for api.py
    Files.writeString(dir.resolve("http.py"), "# a helper, named like the stdlib package\n");
    Files.writeString(
        dir.resolve("api.py"), "import http.client\n\n\nasync def fetch():\n    return 1\n");
    Files.writeString(dir.resolve("broken.mjs"), "export const ok = 1;\nexport function f( {\n");
    Path flow = dir.resolve("flow.yaml");
    Files.writeString(
        flow,
        """
        steps:
          a: { call: python:api:fetch }
          b: { call: node:broken.mjs#f }
        """);
    Result r = braid("check", flow.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(diagnostics(r))
        .containsExactly(
            flow
                + ":2:14: error: cannot load Python module 'api': ModuleNotFoundError: No module"
                + " named 'http.client'; 'http' is not a package ("
                + dir.resolve("api.py")
                + ":1); "
                + dir.resolve("http.py")
                + " shadows the standard library module 'http': rename it",
            flow
                + ":3:14: error: cannot load Node module 'broken.mjs': SyntaxError: Unexpected"
                + " end of input ("
                + dir.resolve("broken.mjs")
                + ":3)");
  }

  @Test
  void aBrokenFilePrintsEveryDiagnosticAndExitsTwo() {
    String file = WORKFLOWS + "/broken/cycles.yaml";
    Result r = braid("check", file, "--no-workers");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines())
        .containsExactly(
            file
                + ":5:50: error: dependency cycle: a -> c -> b -> a (each waits for the next;"
                + " break the cycle)",
            file + ":8:50: error: step 'self' refers to itself",
            file
                + ":9:39: error: dependency cycle: x -> y -> x (each waits for the next; break the"
                + " cycle)");
  }

  @Test
  void theInputIsCheckedAgainstTheDeclaration(@TempDir Path tmp) throws Exception {
    String file = WORKFLOWS + "/valid/dashboard.yaml";
    Result wrong = braid("check", file, "--no-workers", "--input", "{\"userId\": \"7\"}");
    assertThat(wrong.code()).isEqualTo(2);
    assertThat(wrong.err()).contains(file + ":4:3: error: input field 'userId' must be an integer");
    Path input = tmp.resolve("input.json");
    Files.writeString(input, "{\"userId\": 7, \"tier\": \"gold\"}");
    Result fromFile = braid("check", file, "--no-workers", "--input", "@" + input);
    assertThat(fromFile.code()).as(fromFile.err()).isZero();
    assertThat(fromFile.err()).isEmpty();
  }

  @Test
  void unreadableFilesAreOneLineAndExitTwo(@TempDir Path tmp) throws Exception {
    Result missing = braid("check", tmp.resolve("nope.yaml").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err().strip()).isEqualTo("error: no such file: " + tmp.resolve("nope.yaml"));

    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, "steps:\n  a: { call: x\n");
    Result syntax = braid("check", bad.toString());
    assertThat(syntax.code()).isEqualTo(2);
    assertThat(syntax.err().lines())
        .singleElement()
        .asString()
        .startsWith(bad + ":3:1: error: not valid YAML: ");

    Path json = tmp.resolve("bad.json");
    Files.writeString(json, "{\"steps\": {,}}");
    Result jsonSyntax = braid("check", json.toString());
    assertThat(jsonSyntax.code()).isEqualTo(2);
    assertThat(jsonSyntax.err()).startsWith(json + ":1:12: error: not valid JSON: ");
  }

  @Test
  void badOptionsAreUsageErrors() {
    Result badInput = braid("check", WORKFLOWS + "/valid/dashboard.yaml", "--input", "{userId: 7}");
    assertThat(badInput.code()).isEqualTo(2);
    assertThat(badInput.err()).contains("--input is not valid JSON").contains("braid check --help");
    assertThat(braid("check").code()).isEqualTo(2);
  }

  @Test
  void helpShowsAnExample() {
    Result r = braid("check", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("braid check flow.yaml --input").contains("docs/workflows.md");
    assertThat(braid("--help").out()).contains("check");
  }
}
