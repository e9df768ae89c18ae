package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import dev.braid.gateway.workflow.Diagnostic;
import dev.braid.gateway.workflow.FunctionCatalog;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.WorkerFunctionCatalog;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.gateway.workflow.WorkflowChecker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs workflows on real Python and Node workers, one {@link Braid} per test class (worker start-up
 * is the slow part). Workflows are written into a fresh folder per test; the fixture modules are
 * {@code src/test/python/engine_funcs.py} and {@code src/test/node/engine_funcs.mjs}, which report
 * what they observed through marker files in that folder and through state kept per {@link #tag}.
 * Every wait is bounded.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class EngineTestBase {
  static final Path PYTHON = Path.of("src/test/python").toAbsolutePath();
  static final Path NODE = Path.of("src/test/node").toAbsolutePath();
  static final Duration WAIT = Duration.ofSeconds(40);
  static final ObjectMapper JSON = new ObjectMapper();

  /** For expected values written in the tests: 'single quotes' read as JSON strings. */
  private static final ObjectMapper EXPECTED =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES).build();

  static Braid braid;

  /**
   * The test's folder: its workflow files and the markers its functions write. Not a JUnit
   * {@code @TempDir}: a cancelled call may still be writing its last marker while the test ends,
   * and a folder that changes under JUnit's deletion fails the test.
   */
  Path dir;

  /** Keys the fixture functions' module state to this test. */
  final String tag = UUID.randomUUID().toString();

  /** Every event of every run of this test, in order. */
  final List<RunEvent> events = new CopyOnWriteArrayList<>();

  WorkflowEngine engine;
  private int files;

  @BeforeAll
  static void startWorkers(@TempDir Path shared) throws Exception {
    // the wiring of `braid run`: the config prepared from a workflow that calls the fixture
    // modules, so that the workers preload them
    Path file = shared.resolve("fixtures.yaml");
    Files.writeString(
        file,
        """
        steps:
          py: { call: "python:engine_funcs:echo", args: [1] }
          js: { call: "node:engine_funcs.mjs#echo", args: [1] }
        """);
    Workflow fixtures = ParsedWorkflow.read(file).workflow();
    braid =
        Braid.start(
            WorkerFunctionCatalog.configure(
                    BraidConfig.builder().addPythonPath(PYTHON).addNodePath(NODE), fixtures)
                .build());
    braid.prestart("python", "node");
    for (String ref : List.of("python:engine_funcs:echo", "node:engine_funcs.mjs#echo")) {
      assertThat(braid.function(ref).call(1).get(WAIT.toSeconds(), TimeUnit.SECONDS).asInt())
          .isEqualTo(1);
    }
  }

  @AfterAll
  static void stopWorkers() {
    if (braid != null) {
      braid.close();
      braid = null;
    }
  }

  @BeforeEach
  void newEngine() throws IOException {
    dir = Files.createTempDirectory("braid-engine-test-");
    engine = createEngine();
  }

  /** The engine {@link #engine} is: on the system clock unless a test class says otherwise. */
  WorkflowEngine createEngine() {
    return new WorkflowEngine(braid);
  }

  @AfterEach
  void closeEngine() throws InterruptedException {
    engine.close();
    // late markers of cancelled calls: retried for a moment, then left to the OS's tmp cleaner
    for (int attempt = 0; attempt < 10 && Files.exists(dir); attempt++) {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException | UncheckedIOException changing) {
        Thread.sleep(50);
      }
    }
  }

  // -- workflows and runs ------------------------------------------------------------------

  /** Writes {@code yaml} into the test's folder, parses and checks it; no diagnostic allowed. */
  Workflow workflow(String yaml) throws Exception {
    Path file = dir.resolve("flow" + ++files + ".yaml");
    Files.writeString(file, yaml);
    ParsedWorkflow parsed = ParsedWorkflow.read(file);
    List<Diagnostic> problems =
        new WorkflowChecker(FunctionCatalog.acceptingAll()).check(parsed, null);
    assertThat(problems).as("diagnostics of\n%s", yaml).isEmpty();
    return parsed.workflow();
  }

  /**
   * The run's input: {@code dir} (the marker folder) and {@code tag}, then {@code more} as
   * name/value pairs. A workflow declares only the fields it reads; the engine does not check the
   * input (the CLI does).
   */
  ObjectNode input(Object... more) {
    ObjectNode in = JSON.createObjectNode();
    in.put("dir", dir.toString());
    in.put("tag", tag);
    for (int i = 0; i < more.length; i += 2) {
      in.set((String) more[i], JSON.valueToTree(more[i + 1]));
    }
    return in;
  }

  WorkflowRun start(WorkflowEngine e, String yaml, ObjectNode input) throws Exception {
    return e.start(workflow(yaml), input, events::add);
  }

  WorkflowRun start(String yaml, ObjectNode input) throws Exception {
    return start(engine, yaml, input);
  }

  /** Runs the workflow to its result. */
  JsonNode run(String yaml, ObjectNode input) throws Exception {
    return result(start(yaml, input));
  }

  /** Runs the workflow, which must fail, and returns its failure. */
  StepFailedException runFailing(String yaml, ObjectNode input) throws Exception {
    return failure(start(yaml, input));
  }

  static JsonNode result(WorkflowRun run) throws Exception {
    return run.result().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  static StepFailedException failure(WorkflowRun run) throws Exception {
    try {
      JsonNode v = run.result().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      return fail("expected the run to fail, but it returned " + v);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StepFailedException.class);
      return (StepFailedException) e.getCause();
    }
  }

  /** A JSON value written with 'single quotes' for strings. */
  static JsonNode json(String text) throws IOException {
    return EXPECTED.readTree(text);
  }

  /**
   * Asserts that {@code actual} is the JSON value {@code expected}, whatever Java number types each
   * side was built with (an expression's 3 may be a long where the parser makes an int). {@code
   * expected} may use 'single quotes' for strings.
   */
  static void assertJson(JsonNode actual, String expected) throws IOException {
    assertThat(JSON.readTree(JSON.writeValueAsString(actual))).isEqualTo(json(expected));
  }

  /** What the Python fixtures recorded under this test's tag. */
  JsonNode state() throws Exception {
    return braid
        .function("python:engine_funcs:state")
        .call(tag)
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  // -- events ------------------------------------------------------------------------------

  /** How {@code step} finished: the status of its (only) STEP_FINISHED event. */
  Status finished(String step) {
    List<RunEvent> f =
        events.stream()
            .filter(e -> e.type() == RunEvent.Type.STEP_FINISHED && step.equals(e.step()))
            .toList();
    assertThat(f).as("STEP_FINISHED events of %s", step).hasSize(1);
    return f.get(0).status();
  }

  boolean started(String step) {
    return events.stream()
        .anyMatch(e -> e.type() == RunEvent.Type.STEP_STARTED && step.equals(e.step()));
  }

  // -- markers -----------------------------------------------------------------------------

  Path marker(String name) {
    return dir.resolve(name);
  }

  /** Waits (bounded) until the marker exists. */
  void awaitMarker(String name) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!Files.exists(marker(name)) && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertThat(marker(name)).as("marker %s", name).exists();
  }

  /** The marker's text, once it exists. */
  String readMarker(String name) throws Exception {
    awaitMarker(name);
    return Files.readString(marker(name));
  }
}
