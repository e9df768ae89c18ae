package dev.braid.gateway.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** docs/workflow.schema.json agrees with the parser: it accepts the valid files, not bad shapes. */
@Timeout(30)
class WorkflowSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchema SCHEMA = load();

  private static JsonSchema load() {
    try {
      JsonNode node =
          JSON.readTree(
              Path.of(System.getProperty("braid.home"), "docs/workflow.schema.json").toFile());
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The document as an editor sees it: aliases and merge keys resolved. */
  private static Set<ValidationMessage> validate(Path file) throws Exception {
    LoaderOptions options = new LoaderOptions();
    options.setWarnOnDuplicateKeys(false);
    Object doc = new Yaml(options).load(Files.readString(file));
    return SCHEMA.validate(JSON.valueToTree(doc));
  }

  static Stream<Path> valid() throws Exception {
    return ValidWorkflowsTest.files();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void acceptsEveryValidWorkflow(Path file) throws Exception {
    assertThat(validate(file)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "catch-clauses.yaml",
        "counts.yaml",
        "data-steps.yaml",
        "durations.yaml",
        "enums.yaml",
        "http-steps.yaml",
        "names.yaml",
        "on-error.yaml",
        "scripts.yaml",
        "shapes.yaml",
        "step-kinds.yaml",
        "steps-list.yaml",
        "top-level.yaml",
        "unknown-keys.yaml",
        "waits.yaml"
      })
  void rejectsBadShapes(String name) throws Exception {
    assertThat(validate(BrokenWorkflowsTest.CORPUS.resolve(name))).isNotEmpty();
  }
}
