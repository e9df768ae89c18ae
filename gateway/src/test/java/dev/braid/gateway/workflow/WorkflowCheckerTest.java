package dev.braid.gateway.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the checker finds beyond one file's corpus entry: ordering, the graph, the catalog. */
@Timeout(10)
class WorkflowCheckerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<String> check(String text, String input) throws Exception {
    ParsedWorkflow p = ParsedWorkflow.parse(Path.of("f.yaml"), text);
    return new WorkflowChecker(new FakeCatalog())
        .check(p, input == null ? null : JSON.readTree(input)).stream()
            .map(Diagnostic::render)
            .toList();
  }

  @Test
  void everyProblemOfEveryKindIsReportedSortedByPosition() throws Exception {
    List<String> out =
        check(
            """
            input: { userId: integer }
            steps:
              b: { call: python:util:wrk, args: ["${{ steps.a }}"] }
              a: { call: python:util:work, timeout: 2x, args: ["${{ input.user }}"] }
              c: { call: python:util:work, needs: [b, d] }
            """,
            "{\"userId\": true}");
    assertThat(out)
        .containsExactly(
            "f.yaml:1:10: error: input field 'userId' must be an integer, but the input gives a"
                + " boolean (true)",
            "f.yaml:3:14: error: unknown function 'python:util:wrk'; did you mean"
                + " 'python:util:work'?",
            "f.yaml:4:41: error: timeout: invalid duration '2x': write a number and a unit, e.g."
                + " 250ms, 2s, 1.5s, 1m, 1h",
            "f.yaml:4:63: error: unknown input field 'user'; did you mean 'userId'?",
            "f.yaml:5:43: error: unknown step 'd'");
  }

  @Test
  void aValidInputPasses() throws Exception {
    String flow =
        """
        input:
          userId: integer
          ratio: number
          tier: { type: string, default: silver }
          extra: { type: any, required: false }
        steps:
          a: { call: python:util:work, args: ["${{ input }}"] }
        """;
    assertThat(check(flow, "{\"userId\": 7.0, \"ratio\": 1}")).isEmpty();
    assertThat(check(flow, "{\"userId\": 7, \"ratio\": 0.5, \"extra\": null}")).isEmpty();
    assertThat(check(flow, "{\"userId\": 7.5, \"ratio\": 1}"))
        .singleElement()
        .asString()
        .contains("'userId' must be an integer, but the input gives a number (7.5)");
  }

  @Test
  void theDependencyGraphComesFromReferencesAndNeedsHoistedToTheirBlock() throws Exception {
    Workflow wf =
        ParsedWorkflow.read(Path.of("src/test/resources/workflows/valid/nested.yaml")).workflow();
    Map<String, Set<String>> g = WorkflowChecker.dependencies(wf);
    assertThat(g.get("order")).containsExactly("stock");
    assertThat(g.get("pay")).containsExactly("reserve");
    assertThat(g.get("reserve")).isNull();
    assertThat(g.get("notify")).containsExactly("order");
    assertThat(g.get("summary")).containsExactly("order", "notify");
    assertThat(g).doesNotContainKeys("stock", "numbers", "label");
  }

  @Test
  void theCatalogIsAskedOnlyAboutWellFormedReferencesAndTheirKinds() throws Exception {
    List<String> asked = new ArrayList<>();
    FunctionCatalog catalog =
        new FunctionCatalog() {
          @Override
          public Optional<String> problem(String ref) {
            asked.add(ref);
            return Optional.empty();
          }
        };
    ParsedWorkflow p =
        ParsedWorkflow.parse(
            Path.of("f.yaml"),
            """
            steps:
              a: { call: python:m:f }
              b: { call: "python:bad" }
              c: { stream: { call: node:feed.mjs#items } }
            """);
    List<Diagnostic> out = new WorkflowChecker(catalog).check(p, null);
    assertThat(asked).containsExactly("python:m:f", "node:feed.mjs#items");
    assertThat(out)
        .extracting(Diagnostic::message)
        .singleElement()
        .asString()
        .contains("python:bad");
    assertThat(new WorkflowChecker(FunctionCatalog.acceptingAll()).check(p, null)).hasSize(1);
  }
}
