package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code for_each}: item order, the concurrency limit as the worker sees it, and the two modes. */
class ForEachTest extends EngineTestBase {

  @Test
  void resultsFollowTheItemsWhateverOrderTheyFinishIn() throws Exception {
    JsonNode r =
        run(
            """
            input: { tag: string }
            steps:
              each:
                for_each: [0, 1, 2, 3, 4]
                concurrency: 5
                do: { call: python:engine_funcs:finish_after_next, args: ["${{ input.tag }}", "${{ item }}", 5] }
            """,
            input());

    assertJson(r, "{'each': [0, 10, 20, 30, 40]}");
    // each item waited for the next one: they really finished last to first
    assertJson(state().get("finished"), "[4, 3, 2, 1, 0]");
  }

  @Test
  void theConcurrencyLimitIsNeverExceeded() throws Exception {
    List<Integer> items = IntStream.range(0, 30).boxed().toList();
    JsonNode r =
        run(
            """
            input: { tag: string, items: array }
            steps:
              each:
                for_each: "${{ input.items }}"
                as: n
                concurrency: 3
                do: { call: python:engine_funcs:tracked, args: ["${{ input.tag }}", 3, "${{ n }}"] }
            """,
            input("items", items));

    assertThat(r.get("each")).hasSize(30);
    for (int i = 0; i < 30; i++) {
      assertThat(r.get("each").get(i).asInt()).isEqualTo(i);
    }
    // counted inside the worker: 3 at once (the first three wait for each other), never more
    assertThat(state().get("max").asInt()).isEqualTo(3);
  }

  @Test
  void settledModeListsEveryOutcome() throws Exception {
    JsonNode r =
        run(
            """
            steps:
              each:
                for_each: [1, 2, 3]
                mode: settled
                do: { call: python:engine_funcs:fail_on, args: ["${{ item }}", 2] }
            """,
            input());

    JsonNode each = r.get("each");
    assertJson(each.get(0), "{'status': 'ok', 'value': 1}");
    assertThat(each.get(1).get("status").asText()).isEqualTo("failed");
    assertThat(each.get(1).get("error").get("message").asText()).isEqualTo("item 2 is bad");
    assertJson(each.get(2), "{'status': 'ok', 'value': 3}");
  }

  @Test
  void allModeStopsAtTheFirstFailureAndCancelsRunningItems() throws Exception {
    // item 0 fails once item 1 has started; items 2.. would start only after one of them ended
    StepFailedException f =
        runFailing(
            """
            input: { dir: string }
            steps:
              each:
                for_each: [0, 1, 2, 3, 4, 5]
                concurrency: 2
                do:
                  switch: "${{ item }}"
                  cases:
                    "0": { call: python:engine_funcs:fail_when_marked, args: ["${{ input.dir }}", 1-started, boom] }
                    default: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60, "${{ item }}-"] }
            """,
            input());

    assertThat(f.failure().message()).isEqualTo("boom");
    assertThat(f.step()).startsWith("each.do");
    assertThat(readMarker("1-cancelled")).isEqualTo("sibling_failed");
    for (int i = 2; i < 6; i++) {
      assertThat(marker(i + "-started")).doesNotExist();
    }
  }
}
