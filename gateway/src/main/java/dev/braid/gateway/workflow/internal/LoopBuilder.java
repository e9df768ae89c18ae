package dev.braid.gateway.workflow.internal;

import dev.braid.gateway.workflow.Block;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Template;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Builds {@code loop} steps and the early-stop keys of {@code for_each} ({@code index}, {@code
 * until}, {@code quorum}); see {@link ModelBuilder}.
 */
final class LoopBuilder {
  private final ModelBuilder m;
  private final StepBuilder steps;
  private final Fields f;

  LoopBuilder(ModelBuilder m, StepBuilder steps) {
    this.m = m;
    this.steps = steps;
    this.f = m.fields;
  }

  Step.Loop loop(Location at, SourceNode v, SourceNode.MapNode map, String id) {
    SourceNode.MapNode body =
        f.mapping(v, "loop", ", e.g. loop: { steps: { poll: { call: python:jobs:status } } }");
    if (body == null) {
      return null;
    }
    f.onlyKeys(body, List.of("steps", "output"), "loop");
    Block block = steps.block(null, at, body, "loop", id);
    Optional<Template> whileCondition =
        Optional.ofNullable(map.get("while")).map(n -> steps.condition(n, "while"));
    Optional<Template> until =
        Optional.ofNullable(map.get("until")).map(n -> steps.condition(n, "until"));
    Optional<Located<Integer>> max = f.count(map, "max_iterations", 1);
    if (max.isPresent() && max.get().value() > Step.Loop.MAX_ITERATIONS_LIMIT) {
      f.error(
          max.get().at(),
          "max_iterations is "
              + max.get().value()
              + "; the limit is "
              + Step.Loop.MAX_ITERATIONS_LIMIT
              + " (every iteration is kept in the run's journal): split the work, or loop over"
              + " batches");
      max = Optional.empty();
    }
    if (map.get("max_iterations") == null && whileCondition.isEmpty() && until.isEmpty()) {
      f.error(
          at,
          "loop '"
              + id
              + "' has no while:, until: or max_iterations:, so it would never end: give a"
              + " condition, or max_iterations: N to run it N times");
    }
    Located<Integer> maxIterations =
        max.orElse(new Located<>(Step.Loop.DEFAULT_MAX_ITERATIONS, at));
    Optional<Step.Delay> delay = delay(map.entry("delay"));
    return new Step.Loop(at, block, whileCondition, until, maxIterations, delay);
  }

  /** {@code delay: 2s} or {@code delay: { initial: 1s, backoff: 2, max: 30s }}. */
  private Optional<Step.Delay> delay(SourceNode.Entry e) {
    if (e == null) {
      return Optional.empty();
    }
    Location at = e.keyAt();
    if (!(e.value() instanceof SourceNode.MapNode map)) {
      return f.duration(e.value(), "delay")
          .map(d -> new Step.Delay(at, d, new Located<>(1.0, at), d));
    }
    f.onlyKeys(map, List.of("initial", "backoff", "max"), "delay");
    Optional<Located<Duration>> initial = f.duration(map, "initial");
    if (map.get("initial") == null) {
      f.error(at, "delay needs initial: (the pause before the second iteration), e.g. 1s");
    }
    if (initial.isEmpty()) {
      return Optional.empty();
    }
    Located<Double> backoff = f.number(map, "backoff", 1).orElse(new Located<>(1.0, at));
    Optional<Located<Duration>> maxWritten = f.duration(map, "max");
    Located<Duration> max = maxWritten.orElse(initial.get());
    if (maxWritten.isEmpty() && backoff.value() > 1) {
      f.error(at, "delay with a backoff needs max: (the longest pause), e.g. max: 30s");
    }
    if (max.value().compareTo(initial.get().value()) < 0) {
      f.error(max.at(), "delay's max is shorter than its initial pause");
    }
    return Optional.of(new Step.Delay(at, initial.get(), backoff, max));
  }

  /** The {@code for_each} keys of early stop and the index name. */
  record ForEachExtras(
      Optional<Located<String>> index,
      Optional<Template> until,
      Optional<Located<Integer>> quorum) {}

  ForEachExtras forEachExtras(SourceNode.MapNode map, Located<String> as) {
    Optional<Located<String>> index = Optional.empty();
    if (map.get("index") != null) {
      Located<String> name = steps.loopVariable(map, "index", as.at());
      if (name.value().equals(as.value())) {
        f.error(name.at(), "index: '" + name.value() + "' is already the item's name (as:)");
      } else {
        index = Optional.of(name);
      }
    }
    Optional<Template> until =
        Optional.ofNullable(map.get("until")).map(n -> steps.condition(n, "until"));
    Optional<Located<Integer>> quorum = f.count(map, "quorum", 1);
    if (map.get("quorum") != null && map.get("mode") != null) {
      f.error(
          map.entry("quorum").keyAt(),
          "quorum: has its own outcome (the first N successes); leave out mode:");
    }
    if (quorum.isPresent() && map.get("until") != null) {
      f.error(map.entry("until").keyAt(), "a for_each stops early by until: or quorum:, not both");
    }
    return new ForEachExtras(index, until, quorum);
  }
}
