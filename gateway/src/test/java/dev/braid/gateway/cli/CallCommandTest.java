package dev.braid.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code braid call} against a real Python worker: output, exit codes, messages. */
@Timeout(120)
class CallCommandTest {
  private static final String EXAMPLES =
      Path.of(System.getProperty("braid.home"), "examples/python").toString();
  private static final String NODE_EXAMPLES =
      Path.of(System.getProperty("braid.home"), "examples/node").toString();
  private static final String TEST_CLASSES =
      Path.of("target/test-classes").toAbsolutePath().toString();

  private static final String CONF =
      Path.of(System.getProperty("braid.home"), "adapters/src/test/conformance/python").toString();

  record Result(int code, String out, String err) {}

  private static Result braid(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void successPrintsTheResultAsJsonAndExitsZero() {
    Result r =
        braid(
            "call",
            "python:pricing:quote",
            "[{\"sku\":\"tea\",\"qty\":2}]",
            "--python-path",
            EXAMPLES);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"total\":10.8").contains("\"subtotal\":9.0");
  }

  @Test
  void theLocalCliMayCallTheStandardLibrary() {
    // braid serve exposes only its roots; braid call, on the user's own machine, keeps its freedom
    Result r = braid("call", "python:os:getcwd");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains(Path.of("").toAbsolutePath().toString());
  }

  @Test
  void failedCallExitsOneWithTypeAndMessageFirst() {
    Result r =
        braid(
            "call",
            "python:pricing:quote",
            "[{\"sku\":\"nope\",\"qty\":1}]",
            "--python-path",
            EXAMPLES);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("error: ValueError: cannot quote this order");
    assertThat(r.err()).contains("Caused by: KeyError");
  }

  @Test
  void timeoutExitsOneWithDeadlineExceeded() {
    Result r =
        braid(
            "call",
            "python:pricing:quote",
            "[{\"sku\":\"tea\",\"qty\":1}]",
            "--timeout",
            "5ms",
            "--python-path",
            EXAMPLES);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("DEADLINE_EXCEEDED");
  }

  @Test
  void streamPrintsOneItemPerLine() {
    Result r =
        braid("call", "python:pricing:countdown", "3", "--stream", "--python-path", EXAMPLES);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines()).containsExactly("3", "2", "1");
  }

  @Test
  void generatorWithoutStreamSuggestsIt() {
    Result r = braid("call", "python:pricing:countdown", "3", "--python-path", EXAMPLES);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("--stream");
  }

  @Test
  void badUsageExitsTwoWithASentence() {
    Result badJson = braid("call", "python:pricing:quote", "{bad");
    assertThat(badJson.code()).isEqualTo(2);
    assertThat(badJson.err())
        .contains("argument 1 is not valid JSON")
        .contains("braid call --help");

    Result badDuration = braid("call", "python:pricing:quote", "--timeout", "5sec");
    assertThat(badDuration.code()).isEqualTo(2);
    assertThat(badDuration.err()).contains("invalid duration '5sec'");

    Result badRef = braid("call", "ruby:x:y");
    assertThat(badRef.code()).isEqualTo(2);
    assertThat(badRef.err()).contains("unknown language 'ruby'");

    assertThat(braid("call").code()).isEqualTo(2);
    assertThat(braid("frobnicate").code()).isEqualTo(2);
  }

  @Test
  void unknownFunctionIsAFailedCall() {
    Result r = braid("call", "python:pricing:nothing_here", "--python-path", EXAMPLES);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("INVALID_ARGUMENT").contains("nothing_here");
  }

  @Test
  void nodeFunctionsAndNodeCallingPython() {
    Result r = braid("call", "node:quote.mjs#quote", "\"tea\"", "3", "--node-path", NODE_EXAMPLES);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"amount\":13.5");

    Result nested =
        braid(
            "call",
            "node:quote.mjs#taxed",
            "\"mug\"",
            "--node-path",
            NODE_EXAMPLES,
            "--python-path",
            EXAMPLES);
    assertThat(nested.code()).as(nested.err()).isZero();
    assertThat(nested.out()).contains("\"total\":14.4").contains("\"priced_by\":\"python\"");
  }

  @Test
  void nodeFailureIsPrintedWithItsType() {
    Result r = braid("call", "node:quote.mjs#quote", "\"nope\"", "1", "--node-path", NODE_EXAMPLES);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: RangeError: unknown sku");
  }

  @Test
  void javaFunctionsFromTheClasspath() {
    Result r =
        braid(
            "call",
            "java:dev.braid.gateway.fixtures.Greeter#greet",
            "\"Ada\"",
            "--java-classpath",
            TEST_CLASSES);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().trim()).isEqualTo("\"hello, Ada\"");
  }

  @Test
  void functionsListsEveryLanguageWithKinds() {
    Result r =
        braid(
            "functions",
            EXAMPLES,
            NODE_EXAMPLES,
            "--java-class",
            "dev.braid.gateway.fixtures.Greeter",
            "--java-classpath",
            TEST_CLASSES);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern("python:pricing:quote\\s+async")
        .containsPattern("python:pricing:countdown\\s+async_generator")
        .containsPattern("node:quote.mjs#quote\\s+async")
        .containsPattern("java:dev.braid.gateway.fixtures.Greeter#greet\\s+sync");
  }

  @Test
  void functionsListsTypeScriptModulesWithTheirDataParameters() {
    String ts = Path.of(System.getProperty("braid.home"), "examples/typescript").toString();
    Result r = braid("functions", ts);
    assertThat(r.code()).as(r.err()).isZero();
    // priceCart is withContext: its context parameter is not one with: can name
    assertThat(r.out())
        .containsPattern("node:cart.ts#priceCart\\s+async\\s+\\(items, currency\\)")
        .containsPattern("node:greet.ts#greet\\s+async\\s+\\(name, greeting");
  }

  @Test
  void functionsWithNothingToListIsBadUsage() {
    assertThat(braid("functions").code()).isEqualTo(2);
    assertThat(braid("functions", "no/such/dir").code()).isEqualTo(2);
  }

  @Test
  void retryTriesAgainAndTheFunctionSeesTheAttemptNumber() {
    Result r =
        braid(
            "call",
            "python:conf:fail_before_attempt",
            "3",
            "--retry",
            "2",
            "--retry-backoff",
            "10ms",
            "--python-path",
            CONF);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().trim()).isEqualTo("3");
  }

  @Test
  void tooFewRetriesReportTheLastAttemptsFailure() {
    Result r =
        braid(
            "call",
            "python:conf:fail_before_attempt",
            "3",
            "--retry",
            "1",
            "--retry-backoff",
            "10ms",
            "--python-path",
            CONF);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: RuntimeError: attempt 2 of 3");
  }

  @Test
  void badRetryOptionsAreUsageErrors() {
    assertThat(braid("call", "python:os:getcwd", "--retry", "101").err())
        .contains("--retry must be 0..100, got 101");
    assertThat(braid("call", "python:os:getcwd", "--retry", "-1").code()).isEqualTo(2);
    assertThat(braid("call", "python:os:getcwd", "--retry-backoff", "1s").err())
        .contains("--retry-backoff and --retry-max-wait need --retry N");
    Result r =
        braid(
            "call",
            "python:os:getcwd",
            "--retry",
            "2",
            "--retry-backoff",
            "2s",
            "--retry-max-wait",
            "1s");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--retry-max-wait (1s) is shorter than --retry-backoff (2s)");
    assertThat(braid("call", "python:pricing:countdown", "3", "--stream", "--retry", "1").err())
        .contains("--retry does not apply to --stream");
  }
}
