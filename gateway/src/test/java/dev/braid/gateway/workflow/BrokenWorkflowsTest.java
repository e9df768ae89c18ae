package dev.braid.gateway.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.gateway.secrets.SecretSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus of broken workflow files. Each file starts with one or more lines
 *
 * <pre># expect: LINE:COL: part of the message</pre>
 *
 * and may hold a line {@code # input: JSON} (checked against its input: declaration). The
 * diagnostics must be exactly the expected ones: none missing, none extra. JSON has no comments, so
 * in {@code .json} files the {@code #} lines are blanked before parsing (line numbers stay).
 */
@Timeout(30)
class BrokenWorkflowsTest {
  static final Path CORPUS = Path.of("src/test/resources/workflows/broken");
  private static final Pattern EXPECT = Pattern.compile("^# expect: (\\d+):(\\d+): (.+)$");
  private static final Pattern INPUT = Pattern.compile("^# input: (.+)$");

  /** The only secret the corpus can read: BRAID_SECRET_API_TOKEN. */
  static final SecretSources SECRETS =
      SecretSources.of(Map.of("BRAID_SECRET_API_TOKEN", "t0ken"), null);

  record Expected(int line, int column, String text) {
    boolean matches(Diagnostic d) {
      return d.at().line() == line && d.at().column() == column && d.message().contains(text);
    }

    @Override
    public String toString() {
      return line + ":" + column + ": " + text;
    }
  }

  static Stream<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(CORPUS)) {
      return s
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @Test
  void theCorpusCoversEnoughCases() throws IOException {
    assertThat(files().count()).isGreaterThanOrEqualTo(20);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void reportsExactlyTheExpectedDiagnostics(Path file) throws IOException {
    String text = Files.readString(file);
    List<Expected> expected = new ArrayList<>();
    JsonNode input = null;
    for (String line : text.lines().toList()) {
      Matcher m = EXPECT.matcher(line);
      if (m.matches()) {
        expected.add(
            new Expected(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), m.group(3)));
      }
      Matcher i = INPUT.matcher(line);
      if (i.matches()) {
        input = new ObjectMapper().readTree(i.group(1));
      }
    }
    assertThat(expected).as("%s has no '# expect:' lines", file).isNotEmpty();
    assertThat(text).as("the expectations come first").startsWith("# expect: ");
    if (file.toString().endsWith(".json")) {
      text = text.replaceAll("(?m)^#.*$", "");
    }

    List<Diagnostic> actual = diagnostics(file, text, input);

    List<String> problems = new ArrayList<>();
    for (Expected e : expected) {
      if (actual.stream().noneMatch(e::matches)) {
        problems.add("missing:    " + e);
      }
    }
    for (Diagnostic d : actual) {
      if (expected.stream().noneMatch(e -> e.matches(d))) {
        problems.add("unexpected: " + d.at().line() + ":" + d.at().column() + ": " + d.message());
      }
    }
    assertThat(problems)
        .as(
            "diagnostics of %s:%n%s",
            file, String.join("\n", actual.stream().map(Diagnostic::render).toList()))
        .isEmpty();
  }

  static List<Diagnostic> diagnostics(Path file, String text, JsonNode input) {
    try {
      ParsedWorkflow parsed = ParsedWorkflow.parse(file, text);
      return new WorkflowChecker(new FakeCatalog()).withSecrets(SECRETS).check(parsed, input);
    } catch (WorkflowSyntaxException e) {
      return List.of(new Diagnostic(e.at(), e.getMessage()));
    }
  }
}
