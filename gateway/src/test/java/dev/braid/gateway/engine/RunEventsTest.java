package dev.braid.gateway.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.gateway.engine.RunEvent.Type;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The events a {@link RunListener} receives: their order and what retries look like. */
class RunEventsTest extends EngineTestBase {
  private static final String FLOW =
      """
      input: { tag: string, failures: integer }
      steps:
        flaky:
          call: python:engine_funcs:flaky
          args: ["${{ input.tag }}", "${{ input.failures }}"]
          retry: { max_attempts: 2, initial_interval: 250ms, jitter: none }
        fan:
          parallel:
            branches:
              x: { call: python:engine_funcs:echo, args: ["${{ steps.flaky }}"] }
              y: { call: "node:engine_funcs.mjs#echo", args: [2] }
        each:
          for_each: [1, 2]
          do: { call: python:engine_funcs:echo, args: ["${{ item }}"] }
        skipped: { if: false, call: python:engine_funcs:echo, args: [1] }
      """;

  private final FakeClock clock = new FakeClock();

  @Override
  WorkflowEngine createEngine() {
    return new WorkflowEngine(braid, clock, new Random(7));
  }

  @Test
  void theRunStartsFirstAndFinishesLastWithItsResult() throws Exception {
    run(FLOW, input("failures", 1));

    assertThat(events.get(0).type()).isEqualTo(Type.RUN_STARTED);
    RunEvent last = events.get(events.size() - 1);
    assertThat(last.type()).isEqualTo(Type.RUN_FINISHED);
    assertThat(last.status()).isEqualTo(Status.OK);
    assertJson(last.value().get("fan"), "{'x': 2, 'y': 2}");
    assertThat(events.stream().filter(e -> e.type() == Type.RUN_STARTED)).hasSize(1);
    assertThat(events.stream().filter(e -> e.type() == Type.RUN_FINISHED)).hasSize(1);
  }

  @Test
  void everyStepFinishesOnceAndAfterItStarted() throws Exception {
    run(FLOW, input("failures", 1));

    List<String> startedSteps =
        events.stream().filter(e -> e.type() == Type.STEP_STARTED).map(RunEvent::step).toList();
    assertThat(startedSteps)
        .containsExactlyInAnyOrder(
            "flaky", "fan", "fan.x", "fan.y", "each", "each.do[0]", "each.do[1]");
    for (String step : startedSteps) {
      int start = indexOf(Type.STEP_STARTED, step);
      int end = indexOf(Type.STEP_FINISHED, step);
      assertThat(end).as("%s finished after it started", step).isGreaterThan(start);
      assertThat(finished(step)).isEqualTo(Status.OK);
    }
    // a skipped step never starts; it finishes SKIPPED
    assertThat(finished("skipped")).isEqualTo(Status.SKIPPED);
    // a parent finishes after its children
    assertThat(indexOf(Type.STEP_FINISHED, "fan"))
        .isGreaterThan(indexOf(Type.STEP_FINISHED, "fan.x"))
        .isGreaterThan(indexOf(Type.STEP_FINISHED, "fan.y"));
  }

  @Test
  void retriesAreNumberedAttemptsWithTheWaitBetween() throws Exception {
    run(FLOW, input("failures", 1));

    List<RunEvent> flaky =
        events.stream()
            .filter(e -> "flaky".equals(e.step()) && e.type() != Type.STEP_STARTED)
            .filter(e -> e.type() != Type.STEP_FINISHED)
            .toList();
    assertThat(flaky)
        .extracting(RunEvent::type, RunEvent::attempt, RunEvent::status)
        .containsExactly(
            tuple(Type.ATTEMPT_STARTED, 1, null),
            tuple(Type.ATTEMPT_FINISHED, 1, Status.FAILED),
            tuple(Type.RETRY_SCHEDULED, 1, Status.FAILED),
            tuple(Type.ATTEMPT_STARTED, 2, null),
            tuple(Type.ATTEMPT_FINISHED, 2, Status.OK));
    assertThat(flaky.get(1).failure().message()).isEqualTo("failure 1");
    assertThat(flaky.get(2).retryWait()).isEqualTo(Duration.ofMillis(250));
    assertThat(flaky.get(0).function()).isEqualTo("python:engine_funcs:flaky");
    assertThat(flaky.get(0).language()).isEqualTo("python");
  }

  @Test
  void aFailedRunFinishesWithTheFailure() throws Exception {
    runFailing(FLOW, input("failures", 5));

    RunEvent last = events.get(events.size() - 1);
    assertThat(last.type()).isEqualTo(Type.RUN_FINISHED);
    assertThat(last.status()).isEqualTo(Status.FAILED);
    assertThat(last.step()).isEqualTo("flaky");
    assertThat(last.failure().message()).isEqualTo("failure 2");
    assertThat(finished("flaky")).isEqualTo(Status.FAILED);
    assertThat(started("fan")).isFalse();
  }

  @Test
  void eventTimesNeverGoBackwards() throws Exception {
    run(FLOW, input("failures", 1));

    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).atNanos()).isGreaterThanOrEqualTo(events.get(i - 1).atNanos());
    }
  }

  @Test
  void aListenerThatThrowsDoesNotChangeTheRun() throws Exception {
    WorkflowEngine.WorkflowRun run =
        engine.start(
            workflow(FLOW),
            input("failures", 1),
            e -> {
              events.add(e);
              throw new IllegalStateException("a broken progress view");
            });

    assertJson(result(run).get("fan"), "{'x': 2, 'y': 2}");
    assertThat(events.get(events.size() - 1).type()).isEqualTo(Type.RUN_FINISHED);
  }

  private int indexOf(Type type, String step) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).type() == type && step.equals(events.get(i).step())) {
        return i;
      }
    }
    throw new AssertionError("no " + type + " event for " + step + " in " + events);
  }
}
