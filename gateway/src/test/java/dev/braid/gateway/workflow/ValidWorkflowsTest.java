package dev.braid.gateway.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Valid workflow files, the sketch among them, check clean against a fake catalog. */
@Timeout(30)
class ValidWorkflowsTest {
  static Stream<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("src/test/resources/workflows/valid"))) {
      return s
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void checksWithoutDiagnostics(Path file) throws Exception {
    ParsedWorkflow parsed = ParsedWorkflow.read(file);
    List<Diagnostic> problems = new WorkflowChecker(new FakeCatalog()).check(parsed, null);
    assertThat(problems).extracting(Diagnostic::render).isEmpty();
    assertThat(parsed.workflow().steps().steps()).isNotEmpty();
  }
}
