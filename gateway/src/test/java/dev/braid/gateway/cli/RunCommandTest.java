package dev.braid.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code braid run} in process: exit codes (DESIGN §8), the result on stdout, errors with their
 * location on stderr, {@code --json} event lines and {@code --trace} files.
 */
@Timeout(120)
class RunCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PYTHON = Path.of("src/test/python").toAbsolutePath().toString();

  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  private static Result braid(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  /** {@code braid run FILE ARGS... --python-path src/test/python}. */
  private static Result run(Path file, String... args) {
    List<String> all = new ArrayList<>(List.of("run", file.toString()));
    all.addAll(List.of(args));
    all.addAll(List.of("--python-path", PYTHON));
    return braid(all.toArray(String[]::new));
  }

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("flow.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static final String DOUBLE =
      """
      input: { n: integer }
      steps:
        doubled: { call: python:engine_funcs:echo, args: ["${{ input.n * 2 }}"] }
      output: { doubled: "${{ steps.doubled }}" }
      """;

  @Test
  void aSuccessfulRunPrintsTheResultAndExitsZero() throws Exception {
    Result r = run(write(DOUBLE), "--input", "{\"n\": 21}", "--progress", "none");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(JSON.readTree(r.out())).isEqualTo(JSON.readTree("{\"doubled\": 42}"));
  }

  @Test
  void aFailingStepExitsOneWithItsLocation() throws Exception {
    Path file =
        write(
            """
            steps:
              fine: { call: python:engine_funcs:echo, args: [1] }
              x: { call: python:engine_funcs:fail, args: [boom] }
            """);

    Result r = run(file, "--progress", "none");

    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    String line = r.err().lines().filter(l -> l.startsWith("error: ")).findFirst().orElse(r.err());
    // a call's failure points at its function: the `call` key of step x
    assertThat(line)
        .isEqualTo(
            "error: " + file + ":3:8: step 'x' failed: ValueError: boom [APPLICATION, python]");
  }

  @Test
  void aBrokenFileExitsTwoWithLineAndColumn() throws Exception {
    Path file =
        write(
            """
            steps:
              a: { call: python:engine_funcs:echo, timout: 1s }
            """);

    Result r = run(file, "--progress", "none");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .contains(file + ":2:40: error: unknown key 'timout'")
        .contains("did you mean 'timeout'?");
  }

  @Test
  void inputOfTheWrongTypeExitsTwo() throws Exception {
    Path file = write(DOUBLE);

    Result r = run(file, "--input", "{\"n\": \"seven\"}", "--progress", "none");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains(file + ":1:10: error: input field 'n' must be");
  }

  @Test
  void jsonPrintsOneEventPerLineEndingWithTheOutcome() throws Exception {
    Result r = run(write(DOUBLE), "--input", "{\"n\": 2}", "--json", "--progress", "none");

    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> lines = new ArrayList<>();
    for (String l : r.out().lines().toList()) {
      lines.add(JSON.readTree(l));
    }
    assertThat(lines.get(0).get("event").asText()).isEqualTo("run_started");
    JsonNode last = lines.get(lines.size() - 1);
    assertThat(last.get("event").asText()).isEqualTo("run_finished");
    assertThat(last.get("status").asText()).isEqualTo("ok");
    assertThat(last.get("result")).isEqualTo(JSON.readTree("{\"doubled\": 4}"));
    assertThat(lines)
        .anySatisfy(
            l -> {
              assertThat(l.get("event").asText()).isEqualTo("step_finished");
              assertThat(l.get("step").asText()).isEqualTo("doubled");
            });
  }

  @Test
  void traceWritesAChromeTraceFile() throws Exception {
    Path trace = dir.resolve("run.trace.json");

    Result r =
        run(
            write(DOUBLE),
            "--input",
            "{\"n\": 2}",
            "--trace",
            trace.toString(),
            "--progress",
            "none");

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode t = JSON.readTree(trace.toFile());
    assertThat(t.get("traceEvents").isArray()).isTrue();
    assertThat(t.get("traceEvents")).isNotEmpty();
  }
}
