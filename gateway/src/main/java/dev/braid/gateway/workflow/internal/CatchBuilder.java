package dev.braid.gateway.workflow.internal;

import dev.braid.gateway.workflow.Block;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Template;
import dev.braid.gateway.workflow.expr.Spelling;
import dev.braid.model.FailureCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Builds the {@code catch} of a {@code try}: one handler ({@code catch: {steps, output, timeout}})
 * or a list of clauses, each with optional filters ({@code type}, {@code code}, {@code when}) and
 * {@code as}; see {@link ModelBuilder}.
 */
final class CatchBuilder {
  static final String DEFAULT_AS = "error";
  private static final List<String> CLAUSE_KEYS =
      List.of("type", "code", "when", "as", "steps", "output", "timeout");
  static final List<String> CODES = Arrays.stream(FailureCode.values()).map(Enum::name).toList();

  private final StepBuilder steps;
  private final Fields f;

  CatchBuilder(ModelBuilder m, StepBuilder steps) {
    this.steps = steps;
    this.f = m.fields;
  }

  /** The clauses of {@code catch:}, in order; empty when there is none. */
  List<Step.Catch> clauses(SourceNode.Entry e) {
    List<Step.Catch> out = new ArrayList<>();
    if (e == null) {
      return out;
    }
    if (e.value() instanceof SourceNode.ListNode list) {
      if (list.items().isEmpty()) {
        f.error(e.keyAt(), "catch is an empty list: give at least one clause");
      }
      for (SourceNode item : list.items()) {
        SourceNode.MapNode map =
            f.mapping(
                item, "a catch clause", ", e.g. - { code: UNAVAILABLE, as: err, steps: { ... } }");
        if (map != null) {
          f.onlyKeys(map, CLAUSE_KEYS, "a catch clause");
          clause(item.at(), map).ifPresent(out::add);
        }
      }
      return out;
    }
    SourceNode.MapNode map =
        f.mapping(
            e.value(),
            "catch",
            ", e.g. catch: { steps: { ... } }, or a list of clauses"
                + " catch: [ { code: UNAVAILABLE, steps: { ... } } ]");
    if (map == null) {
      return out;
    }
    f.onlyKeys(map, CLAUSE_KEYS, "catch");
    clause(e.keyAt(), map).ifPresent(out::add);
    return out;
  }

  private Optional<Step.Catch> clause(Location at, SourceNode.MapNode map) {
    List<Located<String>> types = f.strings(map, "type");
    List<Located<String>> codes = f.strings(map, "code");
    for (Located<String> c : codes) {
      if (!CODES.contains(c.value())) {
        f.error(
            c.at(),
            "code: '"
                + c.value()
                + "' is not a failure code"
                + Spelling.suggest(c.value(), CODES)
                + " (one of "
                + String.join(", ", CODES)
                + ")");
      }
    }
    Optional<Template> when =
        Optional.ofNullable(map.get("when")).map(n -> steps.condition(n, "when"));
    Located<String> as = name(map, at);
    Step.Handler handler = handler(at, map, "catch");
    return Optional.of(new Step.Catch(at, types, codes, when, as, handler));
  }

  /** {@code as}: a plain name that hides nothing built in; default {@code error}. */
  private Located<String> name(SourceNode.MapNode map, Location fallback) {
    Optional<Located<String>> as = f.string(map, "as");
    if (as.isEmpty()) {
      return new Located<>(DEFAULT_AS, fallback);
    }
    String v = as.get().value();
    if (!StepBuilder.NAME.matcher(v).matches()
        || (StepBuilder.RESERVED.contains(v) && !v.equals(DEFAULT_AS))
        || v.equals(Step.Catch.COMPLETED)) {
      TreeSet<String> taken = new TreeSet<>(StepBuilder.RESERVED);
      taken.remove(DEFAULT_AS);
      taken.add(Step.Catch.COMPLETED);
      f.error(
          as.get().at(),
          "as: '"
              + v
              + "' cannot name the failure: use a plain name other than "
              + String.join(", ", taken));
    }
    return as.get();
  }

  /** A handler block ({@code steps}, {@code output} for a catch, {@code timeout}). */
  Step.Handler handler(Location at, SourceNode.MapNode map, String key) {
    Block block = steps.block(null, at, map, key);
    Located<Duration> timeout =
        f.duration(map, "timeout").orElse(new Located<>(Step.Handler.DEFAULT_TIMEOUT, at));
    return new Step.Handler(at, block, timeout);
  }
}
