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
}
