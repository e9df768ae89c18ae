package dev.braid.conformance.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The worker-protocol case table (proto/braid/worker/v1/conformance/), one dynamic test per case
 * file, each against a fresh Java worker process started by its {@code JavaWorkerMain} entry. The
 * Python and Node suites run the same files.
 */
class WorkerProtocolCasesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The table, found from braid.home (set by the build) or by walking up from the cwd. */
  static Path cases() {
    Path rel = Path.of("proto", "braid", "worker", "v1", "conformance");
    String home = System.getProperty("braid.home");
    if (home != null && !home.isBlank() && Files.isDirectory(Path.of(home).resolve(rel))) {
      return Path.of(home).resolve(rel);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve(rel))) {
        return p.resolve(rel);
      }
    }
    throw new IllegalStateException("no " + rel + " above " + Path.of("").toAbsolutePath());
  }

  static List<String> caseNames() throws IOException {
    try (Stream<Path> files = Files.list(cases())) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - ".json".length()))
          .sorted(Comparator.naturalOrder())
          .toList();
    }
  }

  static JsonNode load(String name) throws IOException {
    return JSON.readTree(cases().resolve(name + ".json").toFile());
  }

  @Test
  void theTableIsFoundAndEveryCaseFileIsRun() throws IOException {
    try (Stream<Path> all = Files.list(cases())) {
      long files = all.filter(p -> p.toString().endsWith(".json")).count();
      assertThat(files).isGreaterThanOrEqualTo(25);
      assertThat(caseNames()).hasSize((int) files);
    }
  }

  @Test
  void everyCaseNamesOnlyFixturesTheJavaClassHas() throws IOException {
    List<String> methods =
        Arrays.stream(Conformance.class.getMethods())
            .filter(m -> Modifier.isStatic(m.getModifiers()))
            .map(Method::getName)
            .toList();
    for (String name : caseNames()) {
      for (JsonNode fixture : load(name).get("fixtures")) {
        String ref = CaseRunner.reference(fixture.asText());
        assertThat(methods).as(name).contains(ref.substring(ref.indexOf('#') + 1));
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCase() throws IOException {
    return caseNames().stream()
        .map(
            name ->
                DynamicTest.dynamicTest(
                    name,
                    () -> {
                      // a short path: Unix socket paths are limited to ~107 bytes
                      Path tmp = Files.createTempDirectory(Path.of("/tmp"), "bjc-");
                      try {
                        // every step is bounded; this bounds the case as a whole
                        assertTimeoutPreemptively(
                            Duration.ofMinutes(2), () -> new CaseRunner(load(name), tmp).run());
                      } finally {
                        deleteTree(tmp);
                      }
                    }));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
