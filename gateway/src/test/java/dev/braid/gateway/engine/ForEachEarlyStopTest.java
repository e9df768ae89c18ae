package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.model.FailureCode;
import org.junit.jupiter.api.Test;

/**
 * {@code for_each} with {@code index}, {@code until} and {@code quorum}, on a real Python worker:
 * the items still running when the loop stops are cancelled, and their functions observe the reason
 * {@code early_exit}.
 */
class ForEachEarlyStopTest extends EngineTestBase {

  @Test
  void theIndexNamesEachItemsPosition() throws Exception {
    JsonNode r =
        run(
            """
            steps:
              each:
                for_each: [a, b, c]
                index: i
                concurrency: 3
                do: { call: python:engine_funcs:echo, args: ["${{ i }}:${{ item }}"] }
            """,
            input());

    assertJson(r, "{'each': ['0:a', '1:b', '2:c']}");
  }

  @Test
  void untilStopsStartingItemsOnceItHolds() throws Exception {
    JsonNode r =
        run(
            """
            steps:
              each:
                for_each: [1, 2, 3, 4, 5, 6]
                until: "${{ iteration.result >= 3 && len(iteration.results) == 6 }}"
                do: { call: python:engine_funcs:echo, args: ["${{ item }}"] }
            """,
            input());

    // one at a time: items 4.. never start, and show as null
    assertJson(r, "{'each': [1, 2, 3, null, null, null]}");
    assertThat(started("each.do[3]")).isFalse();
  }

  @Test
  void untilCancelsTheItemsStillRunningWithTheReasonEarlyExit() throws Exception {
    JsonNode r =
        run(
            """
            input: { dir: string }
            steps:
              search:
                for_each: [{n: a, slow: false}, {n: b, slow: true}, {n: c, slow: true}]
                as: job
                concurrency: 3
                until: "${{ iteration.result == 'a' }}"
                do:
                  call: python:engine_funcs:replica
                  args: ["${{ input.dir }}", "${{ job.n }}", "${{ job.slow }}", [bstarted, cstarted]]
            """,
            input());

    assertJson(r, "{'search': ['a', null, null]}");
    assertThat(readMarker("bcancelled")).isEqualTo("early_exit");
    assertThat(readMarker("ccancelled")).isEqualTo("early_exit");
  }

  @Test
  void aQuorumEndsAtTheNthSuccessAndCancelsTheRest() throws Exception {
    JsonNode r =
        run(
            """
            input: { dir: string }
            steps:
              replicas:
                for_each: [[a, false], [b, false], [c, true], [d, false], [e, true]]
                as: r
                concurrency: 5
                quorum: 3
                do:
                  call: python:engine_funcs:replica
                  args: ["${{ input.dir }}", "${{ r[0] }}", "${{ r[1] }}", [cstarted, estarted]]
            """,
            input());

    assertJson(r, "{'replicas': ['a', 'b', null, 'd', null]}");
    assertThat(readMarker("ccancelled")).isEqualTo("early_exit");
    assertThat(readMarker("ecancelled")).isEqualTo("early_exit");
    assertThat(finished("replicas.do[2]")).isEqualTo(RunEvent.Status.CANCELLED);
  }

  @Test
  void aQuorumToleratesFailuresUntilItCanNoLongerBeReached() throws Exception {
    JsonNode ok =
        run(
            """
            steps:
              q:
                for_each: [1, 2, 3]
                quorum: 2
                do: { call: python:engine_funcs:fail_on, args: ["${{ item }}", 2] }
            """,
            input());
    assertJson(ok, "{'q': [1, null, 3]}");
    events.clear();

    StepFailedException f =
        runFailing(
            """
            steps:
              q:
                for_each: [1, 2, 3]
                quorum: 3
                do: { call: python:engine_funcs:fail_on, args: ["${{ item }}", 2] }
            """,
            input());
    assertThat(f.failure().type()).isEqualTo("QuorumNotReached");
    assertThat(f.failure().code()).isEqualTo(FailureCode.APPLICATION);
    assertThat(f.failure().message())
        .isEqualTo("1 of 3 items succeeded, 1 failed; quorum: 3 can no longer be reached");
    assertThat(f.failure().cause().message()).isEqualTo("item 2 is bad");
    assertThat(started("q.do[2]")).as("unreachable: the last item never starts").isFalse();
  }
}
