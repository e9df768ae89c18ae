package dev.braid.gateway.workflow.internal;

import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Template;
import dev.braid.gateway.workflow.WaitInstants;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Builds {@code wait} and {@code signal} steps; see {@link ModelBuilder}. */
final class WaitBuilder {
  private final ModelBuilder m;
  private final Fields f;

  WaitBuilder(ModelBuilder m) {
    this.m = m;
    this.f = m.fields;
  }

  /** {@code wait: 90s} or {@code wait: {until: "${{ input.at }}"}}. */
  Step.Wait waitStep(Location at, SourceNode v) {
    if (v instanceof SourceNode.MapNode map) {
      f.onlyKeys(map, List.of("until"), "wait");
      SourceNode u = map.get("until");
      if (u == null) {
        f.error(at, "wait needs until: (an instant, e.g. until: \"${{ input.at }}\")");
        return null;
      }
      Template t = m.templates.of(u);
      if (t instanceof Template.Literal l) {
        if (StepBuilder.brokenExpression(u, t)) {
          return null;
        }
        Optional<String> bad = WaitInstants.problem(l.value());
        if (bad.isPresent()) {
          f.error(u.at(), "until: " + bad.get());
          return null;
        }
      }
      return new Step.Wait(at, Optional.empty(), Optional.of(t));
    }
    if (v instanceof SourceNode.ScalarNode s
        && s.value().isTextual()
        && s.value().textValue().contains("${{")) {
      f.error(
          v.at(),
          "wait takes a duration such as 90s; for a time from an expression write"
              + " wait: { until: \"${{ ... }}\" }");
      return null;
    }
    if (!(v instanceof SourceNode.ScalarNode)) {
      f.error(
          v.at(),
          "wait must be a duration such as 90s or a mapping { until: ... }, not " + v.kind());
      return null;
    }
    Optional<Located<Duration>> d = f.duration(v, "wait");
    return d.map(x -> new Step.Wait(at, Optional.of(x), Optional.empty())).orElse(null);
  }

  /** {@code signal: approve} or {@code signal: {name: approve, timeout: 1h}}. */
  Step.Signal signalStep(Location at, SourceNode v) {
    Optional<Located<Duration>> timeout = Optional.empty();
    SourceNode nameNode = v;
    if (v instanceof SourceNode.MapNode map) {
      f.onlyKeys(map, List.of("name", "timeout"), "signal");
      timeout = f.duration(map, "timeout");
      nameNode = map.get("name");
      if (nameNode == null) {
        f.error(at, "signal needs name: (the signal to wait for, e.g. name: approve)");
        return null;
      }
    }
    if (!(nameNode instanceof SourceNode.ScalarNode s) || !s.value().isTextual()) {
      f.error(
          nameNode.at(),
          "signal must name the signal to wait for, e.g. signal: approve or"
              + " signal: { name: approve, timeout: 1h }; not "
              + Fields.describe(nameNode));
      return null;
    }
    String name = s.value().textValue();
    if (!Step.Signal.NAME.matcher(name).matches()) {
      f.error(
          s.at(),
          "signal name '"
              + shorten(name)
              + "' is not valid: use "
              + Step.Signal.NAME_RULE
              + " (it is typed on the command line: braid signal RUN_ID NAME)");
      return null;
    }
    return new Step.Signal(at, new Located<>(name, s.at()), timeout);
  }

  private static String shorten(String s) {
    String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    StringBuilder b = new StringBuilder();
    t.chars().forEach(c -> b.append(Character.isISOControl(c) ? '?' : (char) c));
    return b.toString();
  }
}
