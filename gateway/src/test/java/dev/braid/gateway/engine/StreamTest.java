package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import org.junit.jupiter.api.Test;

/**
 * {@code stream}: items through {@code do} in order, concurrency, backpressure measured inside the
 * generator, and that a failing {@code do} stops the generator.
 */
class StreamTest extends EngineTestBase {

  @Test
  void itemsGoThroughDoAndTheResultKeepsTheirOrder() throws Exception {
    JsonNode r =
        run(
            """
            steps:
              tens:
                stream: { call: python:engine_funcs:numbers, args: [5] }
                do: { call: "node:engine_funcs.mjs#echo", args: ["${{ item * 10 }}"] }
            """,
            input());

    assertJson(r, "{'tens': [0, 10, 20, 30, 40]}");
  }

  @Test
  void withoutDoTheResultIsTheItems() throws Exception {
    JsonNode r =
        run(
            """
            steps:
              all_items:
                stream: { call: python:engine_funcs:numbers, args: [4] }
            """,
            input());

    assertJson(r, "{'all_items': [0, 1, 2, 3]}");
  }

  @Test
  void itemsAreProcessedConcurrently() throws Exception {
    // each item's `do` waits until the other's has arrived: one at a time, the first gives up
    JsonNode r =
        run(
            """
            input: { tag: string }
            steps:
              pairs:
                stream: { call: python:engine_funcs:numbers, args: [2] }
                as: n
                concurrency: 2
                do: { call: python:engine_funcs:meet, args: ["${{ input.tag }}", "${{ n }}", "${{ 1 - n }}"] }
            """,
            input());

    assertJson(r, "{'pairs': [0, 1]}");
  }

  @Test
  void theConcurrencyLimitIsNeverExceeded() throws Exception {
    JsonNode r =
        run(
            """
            input: { tag: string }
            steps:
              limited:
                stream: { call: python:engine_funcs:numbers, args: [12] }
                concurrency: 3
                do: { call: python:engine_funcs:tracked, args: ["${{ input.tag }}", 3, "${{ item }}"] }
            """,
            input());

    assertJson(r, "{'limited': [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}");
    assertThat(state().get("max").asInt()).isEqualTo(3);
  }

  @Test
  void aSlowDoHoldsTheGeneratorBack() throws Exception {
    // Credit is the bound. The gateway grants `buffer` items up front and one more each time an
    // item's `do` starts, so items sent <= buffer + started <= buffer + finished + concurrency.
    // The worker advances the generator at most one item past its credit. So when the generator
    // yields, produced - finished <= buffer + concurrency + 1 = 2 + 1 + 1: 4 here, where a
    // generator without backpressure would run all 20 items ahead of the slow `do`.
    JsonNode r =
        run(
            """
            input: { tag: string }
            steps:
              slow_sink:
                stream: { call: python:engine_funcs:counted, args: ["${{ input.tag }}", 20] }
                buffer: 2
                concurrency: 1
                do: { call: python:engine_funcs:processed, args: ["${{ input.tag }}", "${{ item }}", 0.02] }
            """,
            input());

    assertThat(r.get("slow_sink")).hasSize(20);
    JsonNode s = state();
    assertThat(s.get("produced").asInt()).isEqualTo(20);
    assertThat(s.get("done").asInt()).isEqualTo(20);
    assertThat(s.get("max_ahead").asInt()).isBetween(1, 4);
  }

  @Test
  void aFailingDoFailsTheStepAndCancelsTheGenerator() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { dir: string }
            steps:
              sink:
                stream: { call: python:engine_funcs:ticking, args: ["${{ input.dir }}", 100000] }
                do: { call: python:engine_funcs:fail_on, args: ["${{ item }}", 3] }
            """,
            input());

    assertThat(f.failure().message()).isEqualTo("item 3 is bad");
    assertThat(f.step()).isEqualTo("sink.do[3]");
    // like a call, the generator is cancelled with the reason at the root: the failed sibling
    assertThat(readMarker("gen-cancelled")).isEqualTo("sibling_failed");
  }

  @Test
  void aFailingGeneratorFailsTheStep() throws Exception {
    StepFailedException f =
        runFailing(
            """
            steps:
              sink:
                stream: { call: python:engine_funcs:breaks_after, args: [2] }
                do: { call: python:engine_funcs:echo, args: ["${{ item }}"] }
            """,
            input());

    assertThat(f.step()).isEqualTo("sink");
    assertThat(f.failure().type()).isEqualTo("ValueError");
    assertThat(f.failure().message()).isEqualTo("broke after 2 items");
  }

  @Test
  void cancellingTheRunCancelsTheGenerator() throws Exception {
    WorkflowRun run =
        start(
            """
            input: { dir: string }
            steps:
              sink:
                stream: { call: python:engine_funcs:ticking, args: ["${{ input.dir }}", 100000] }
                do: { call: python:engine_funcs:mark, args: ["${{ input.dir }}", "item-${{ item }}"] }
            """,
            input());
    awaitMarker("item-0");

    run.cancel();

    assertThat(failure(run).isCancellation()).isTrue();
    assertThat(readMarker("gen-cancelled")).isEqualTo("cancelled");
  }
}
