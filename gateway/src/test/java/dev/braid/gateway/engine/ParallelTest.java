package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.gateway.engine.RunEvent.Type;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code parallel} in its four modes (DESIGN §3.8): the result of each, and that losers and the
 * siblings of a failure are cancelled — as the cancelled functions themselves report it.
 */
class ParallelTest extends EngineTestBase {

  @Test
  void allGivesEveryBranchValueByName() throws Exception {
    JsonNode r =
        run(
            """
            steps:
              fan:
                parallel:
                  branches:
                    py: { call: python:engine_funcs:echo, args: [1] }
                    js: { call: "node:engine_funcs.mjs#echo", args: [two] }
            """,
            input());

    assertJson(r, "{'fan': {'py': 1, 'js': 'two'}}");
  }

  @Test
  void allFailsWithTheFirstFailureAndCancelsTheOthersWithSiblingFailed() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { dir: string }
            steps:
              fan:
                parallel:
                  mode: all
                  branches:
                    bad: { call: python:engine_funcs:fail_when_marked, args: ["${{ input.dir }}", started, boom] }
                    slow: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60] }
            """,
            input());

    assertThat(f.step()).isEqualTo("fan.bad");
    assertThat(f.failure().type()).isEqualTo("ValueError");
    assertThat(f.failure().message()).isEqualTo("boom");
    assertThat(readMarker("cancelled")).isEqualTo("sibling_failed");
  }

  @Test
  void settledGivesEveryOutcomeAndDoesNotFail() throws Exception {
    JsonNode r =
        run(
            """
            steps:
              fan:
                parallel:
                  mode: settled
                  branches:
                    bad: { call: python:engine_funcs:fail, args: [boom] }
                    good: { call: python:engine_funcs:echo, args: [1] }
            """,
            input());

    JsonNode fan = r.get("fan");
    assertJson(fan.get("good"), "{'status': 'ok', 'value': 1}");
    assertThat(fan.get("bad").get("status").asText()).isEqualTo("failed");
    JsonNode error = fan.get("bad").get("error");
    assertThat(error.get("code").asText()).isEqualTo("APPLICATION");
    assertThat(error.get("type").asText()).isEqualTo("ValueError");
    assertThat(error.get("message").asText()).isEqualTo("boom");
    assertThat(error.get("language").asText()).isEqualTo("python");
  }

  @Test
  void raceGivesTheWinnerAndCancelsAPythonLoserWithRaceLost() throws Exception {
    JsonNode r =
        run(
            """
            input: { dir: string }
            steps:
              fastest:
                parallel:
                  mode: race
                  branches:
                    loser: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60] }
                    winner: { call: python:engine_funcs:when_marked, args: ["${{ input.dir }}", started, fast] }
            """,
            input());

    assertJson(r, "{'fastest': 'fast'}");
    assertThat(readMarker("cancelled")).isEqualTo("race_lost");
    assertLoserCancelledAs("python");
  }

  @Test
  void aBranchSkippedByIfDoesNotWinTheRace() throws Exception {
    JsonNode r =
        run(
            """
            input: { dir: string }
            steps:
              fastest:
                parallel:
                  mode: race
                  branches:
                    skipped: { if: false, call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60] }
                    real: { call: python:engine_funcs:echo, args: [real] }
            """,
            input());

    assertJson(r, "{'fastest': 'real'}");
  }

  @Test
  void raceCancelsANodeLoserWithRaceLost() throws Exception {
    JsonNode r =
        run(
            """
            input: { dir: string }
            steps:
              fastest:
                parallel:
                  mode: race
                  branches:
                    loser: { call: "node:engine_funcs.mjs#sleep_marked", args: ["${{ input.dir }}", 60, "js-"] }
                    winner: { call: python:engine_funcs:when_marked, args: ["${{ input.dir }}", js-started, fast] }
            """,
            input());

    assertJson(r, "{'fastest': 'fast'}");
    assertThat(readMarker("js-cancelled")).isEqualTo("race_lost");
    assertLoserCancelledAs("node");
  }

  /**
   * The loser's cancellation, as its attempt and its step report it: attributed to the language of
   * the call that was cancelled (not to the gateway's "java"), with the reason in the record's
   * {@code reason} and said at most once in its headline.
   */
  private void assertLoserCancelledAs(String language) {
    List<RunEvent> loser =
        events.stream()
            .filter(e -> "fastest.loser".equals(e.step()) && e.status() == Status.CANCELLED)
            .toList();
    assertThat(loser)
        .extracting(RunEvent::type)
        .containsExactlyInAnyOrder(Type.ATTEMPT_FINISHED, Type.STEP_FINISHED);
    for (RunEvent e : loser) {
      Failure f = e.failure();
      assertThat(f.language()).as(e.type() + " language").isEqualTo(language);
      assertThat(f.reason()).isEqualTo("race_lost");
      assertThat(f.headline().split("race_lost", -1)).as(f.headline()).hasSizeLessThanOrEqualTo(2);
      assertThat(f.headline()).doesNotContainIgnoringCase("cancelled: cancelled");
    }
  }

  @Test
  void raceFailsWhenTheFirstBranchToSettleFailed() throws Exception {
    StepFailedException f =
        runFailing(
            """
            input: { dir: string }
            steps:
              fastest:
                parallel:
                  mode: race
                  branches:
                    slow: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60] }
                    bad: { call: python:engine_funcs:fail_when_marked, args: ["${{ input.dir }}", started, boom] }
            """,
            input());

    assertThat(f.failure().message()).isEqualTo("boom");
    assertThat(readMarker("cancelled")).isEqualTo("race_lost");
  }

  @Test
  void anyGivesTheFirstSuccessAndCancelsTheRest() throws Exception {
    JsonNode r =
        run(
            """
            input: { dir: string }
            steps:
              first_ok:
                parallel:
                  mode: any
                  branches:
                    bad: { call: python:engine_funcs:fail, args: [boom] }
                    slow: { call: python:engine_funcs:sleep_marked, args: ["${{ input.dir }}", 60] }
                    good: { call: python:engine_funcs:when_marked, args: ["${{ input.dir }}", started, fine] }
            """,
            input());

    assertJson(r, "{'first_ok': 'fine'}");
    assertThat(readMarker("cancelled")).isEqualTo("race_lost");
  }

  @Test
  void anyFailsWithEveryFailureWhenAllBranchesFail() throws Exception {
    StepFailedException f =
        runFailing(
            """
            steps:
              first_ok:
                parallel:
                  mode: any
                  branches:
                    py: { call: python:engine_funcs:fail, args: [one] }
                    other: { call: python:engine_funcs:fail, args: [two] }
            """,
            input());

    assertThat(f.failure().type()).isEqualTo("AllFailed");
    assertThat(f.failure().code()).isEqualTo(FailureCode.APPLICATION);
    JsonNode details = json(f.failure().detailsJson());
    assertThat(details.size()).isEqualTo(2);
    assertThat(details.get("py").get("message").asText()).isEqualTo("one");
    assertThat(details.get("other").get("message").asText()).isEqualTo("two");
    assertThat(details.get("py").get("type").asText()).isEqualTo("ValueError");
    assertThat(f.failure().message()).contains("py", "one", "other", "two");
  }
}
