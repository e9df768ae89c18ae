package dev.braid.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code secrets:} on the command line: read from {@code --secrets-dir}, checked by {@code braid
 * check}, and never printed — the test greps every output of a run that returns, logs and fails
 * with its secret: stdout ({@code --json} and the result), stderr (plain and live progress, the
 * error), the worker log lines, the Chrome trace, {@code braid show} and the store's files.
 */
@Timeout(120)
class SecretsCommandTest {
  private static final String PYTHON = Path.of("src/test/python").toAbsolutePath().toString();
  private static final String SECRET = "s3cr3t-v4lue-91f";

  @TempDir Path dir;
  private Path secrets;

  record Result(int code, String out, String err) {}

  private static Result braid(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  @BeforeEach
  void secretsFolder() throws Exception {
    secrets = Files.createDirectories(dir.resolve("secrets"));
    // as `echo VALUE > file` writes it: the trailing newline is not part of the value
    Files.writeString(secrets.resolve("API_TOKEN"), SECRET + "\n");
  }

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("flow.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private Result runWith(Path file, String... more) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "run",
                file.toString(),
                "--store",
                dir.resolve("runs.db").toString(),
                "--secrets-dir",
                secrets.toString(),
                "--python-path",
                PYTHON));
    all.addAll(List.of(more));
    return braid(all.toArray(String[]::new));
  }

  private static String runId(Result r) {
    return r.err()
        .lines()
        .filter(l -> l.startsWith("run "))
        .map(l -> l.substring(4).trim())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no run id in: " + r.err()));
  }

  private static final String RETURNS =
      """
      secrets: [API_TOKEN]
      steps:
        got: { call: python:engine_funcs:secret_of, args: [API_TOKEN] }
        echoed: { call: python:engine_funcs:echo, args: ["Bearer ${{ secrets.API_TOKEN }}"] }
      """;

  private static final String FAILS =
      """
      secrets: [API_TOKEN]
      steps:
        got: { call: python:engine_funcs:secret_of, args: [API_TOKEN] }
        leak: { needs: [got], call: python:engine_funcs:leak_secret, args: [API_TOKEN] }
      """;

  @Test
  void theResultShowsTheSecretMaskedAndTheFunctionReceivedIt() throws Exception {
    Result r = runWith(write(RETURNS), "--progress", "none");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"got\":\"***\"").contains("\"echoed\":\"Bearer ***\"");
    assertThat(r.out() + r.err()).doesNotContain(SECRET);
  }

  @Test
  void noOutputOfAFailingRunHoldsTheSecret() throws Exception {
    Path file = write(FAILS);
    Path trace = dir.resolve("run.trace.json");
    List<String> outputs = new ArrayList<>();
    String log;
    PrintStream before = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    // the workers' stdout and stderr lines go to the gateway's log, on System.err
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Result json;
    Result plain;
    Result live;
    try {
      json = runWith(file, "--json", "--trace", trace.toString(), "--progress", "none");
      plain = runWith(file, "--progress", "plain");
      live = runWith(file, "--progress", "live");
    } finally {
      System.setErr(before);
      log = captured.toString(StandardCharsets.UTF_8);
    }
    assertThat(json.code()).as(json.err()).isEqualTo(1);
    assertThat(plain.code()).as(plain.err()).isEqualTo(1);
    assertThat(live.code()).as(live.err()).isEqualTo(1);
    assertThat(json.out()).contains("\"message\":\"token *** was refused\"");
    assertThat(plain.err()).contains("ValueError: token *** was refused");
    assertThat(live.err()).contains("token *** was refused");
    assertThat(log).contains("stderr has ***").contains("stdout has ***");
    outputs.add(json.out());
    outputs.add(json.err());
    outputs.add(plain.out());
    outputs.add(plain.err());
    outputs.add(live.out());
    outputs.add(live.err());
    outputs.add(log);
    outputs.add(Files.readString(trace));

    Result show = braid("show", runId(json), "--store", dir.resolve("runs.db").toString());
    Result showJson =
        braid("show", runId(json), "--json", "--store", dir.resolve("runs.db").toString());
    assertThat(show.out() + showJson.out()).contains("***");
    outputs.add(show.out() + show.err() + showJson.out() + showJson.err());

    for (String o : outputs) {
      assertThat(o).doesNotContain(SECRET);
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(p -> p.getFileName().toString().startsWith("runs.db")).toList()) {
        assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1))
            .as("store file %s", p)
            .doesNotContain(SECRET);
      }
    }
  }

  @Test
  void checkReportsASecretItCannotReadAtItsName() throws Exception {
    Path file =
        write(
            """
            secrets: [API_TOKEN, NOT_THERE]
            steps:
              got: { call: python:engine_funcs:echo, args: ["${{ secrets.API_TOKEN }}"] }
            """);

    Result r = braid("check", file.toString(), "--no-workers", "--secrets-dir", secrets.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(
            file
                + ":1:22: error: secret 'NOT_THERE' is not set: export BRAID_SECRET_NOT_THERE or"
                + " add the file "
                + secrets.toAbsolutePath().resolve("NOT_THERE"));
  }

  @Test
  void checkWithTheSecretsFolderPasses() throws Exception {
    Result r =
        braid(
            "check",
            write(RETURNS).toString(),
            "--no-workers",
            "--secrets-dir",
            secrets.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
  }
}
