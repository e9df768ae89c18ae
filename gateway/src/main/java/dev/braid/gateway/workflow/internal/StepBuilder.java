package dev.braid.gateway.workflow.internal;

import dev.braid.gateway.workflow.Block;
import dev.braid.gateway.workflow.CallPolicy;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.RetryPolicy;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Template;
import dev.braid.gateway.workflow.expr.Spelling;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Builds steps and {@code steps:} blocks; see {@link ModelBuilder}. */
final class StepBuilder {
  static final List<String> KINDS =
      List.of(
          "call",
          "parallel",
          "for_each",
          "try",
          "switch",
          "stream",
          "script",
          "wait",
          "signal",
          "set",
          "raise",
          "http",
          "loop",
          "workflow");
  static final List<String> COMMON = List.of("if", "needs", "timeout", "on_error", "description");
  static final Map<String, List<String>> EXTRAS =
      Map.ofEntries(
          Map.entry("set", List.of()),
          Map.entry("raise", List.of()),
          Map.entry("http", List.of("total_timeout", "retry", "circuit_breaker")),
          Map.entry(
              "call",
              List.of(
                  "with",
                  "args",
                  "total_timeout",
                  "queue_timeout",
                  "heartbeat_timeout",
                  "retry",
                  "circuit_breaker")),
          Map.entry("parallel", List.of("retry")),
          Map.entry(
              "for_each",
              List.of("as", "index", "concurrency", "mode", "until", "quorum", "do", "retry")),
          Map.entry("try", List.of("catch", "finally", "retry")),
          Map.entry("switch", List.of("cases", "retry")),
          Map.entry(
              "stream",
              List.of("as", "concurrency", "buffer", "do", "queue_timeout", "heartbeat_timeout")),
          Map.entry("script", List.of()),
          Map.entry("wait", List.of()),
          Map.entry("signal", List.of()),
          Map.entry("loop", List.of("while", "until", "max_iterations", "delay", "retry")),
          Map.entry("workflow", List.of("input", "retry")));

  /** The kinds that hold other steps: a {@code retry} on them reruns the whole step. */
  static final Set<String> BLOCK_RETRY =
      Set.of("parallel", "for_each", "try", "switch", "loop", "workflow");

  static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  static final Set<String> RESERVED =
      Set.of("input", "steps", "secrets", "error", "iteration", "true", "false", "null");

  final Set<String> broken = new HashSet<>();
  private final ModelBuilder m;
  private final Fields f;
  private final Map<String, Location> declared = new HashMap<>();
  private final ActionBuilder actions;

  StepBuilder(ModelBuilder m) {
    this.m = m;
    this.f = m.fields;
    this.actions = new ActionBuilder(m, this);
  }

  /**
   * A {@code steps:} mapping. {@code node} is the mapping of steps itself when {@code wrapper} is
   * null (the workflow's {@code steps}), else the {@code {steps, output, ...}} mapping of a {@code
   * try}, {@code catch} or {@code finally}.
   */
  Block block(
      SourceNode node, Location at, SourceNode.MapNode wrapper, String where, String parentId) {
    Optional<Template> output = Optional.empty();
    if (wrapper != null) {
      SourceNode.Entry s = wrapper.entry("steps");
      output = Optional.ofNullable(wrapper.get("output")).map(m.templates::of);
      if (s == null) {
        f.error(at, where + " needs steps: (a mapping of step names to steps)");
        return new Block(at, Map.of(), output);
      }
      node = s.value();
      at = s.keyAt();
    }
    Map<String, Step> steps = new LinkedHashMap<>();
    SourceNode.MapNode map =
        f.mapping(
            node, where, "; map step names to steps, e.g. profile: { call: python:users:get }");
    if (map == null) {
      return new Block(at, steps, output);
    }
    if (map.entries().isEmpty()) {
      f.error(at, where + " is empty: give at least one step");
    }
    if (parentId == null) {
      // the top-level names keep their plain ids, whatever nested block reuses them
      map.entries().forEach(e -> declared.putIfAbsent(e.key(), e.keyAt()));
    }
    for (SourceNode.Entry e : map.entries()) {
      // Names are scoped: a nested block may reuse a name of another scope (a reference resolves to
      // the nearest). Ids stay unique in the workflow, for events, progress views and the journal:
      // a name's first use keeps it as its id, a reuse is qualified by its block (order.try.pay).
      String id = e.key();
      if (parentId != null && declared.putIfAbsent(e.key(), e.keyAt()) != null) {
        id = parentId + "." + where + "." + e.key();
      }
      if (!NAME.matcher(e.key()).matches()) {
        f.error(
            e.keyAt(),
            "step name '"
                + e.key()
                + "' is not a plain name: use letters, digits and _ (e.g. "
                + e.key().replaceAll("[^A-Za-z0-9_]", "_")
                + ") so that ${{ steps.NAME }} can refer to it");
      }
      Step s = step(e.key(), id, e.keyAt(), e.value());
      if (s != null) {
        steps.put(e.key(), s);
      }
    }
    return new Block(at, steps, output);
  }

  /** A step; null (after reporting why) if it has no kind or several. */
  Step step(String name, String id, Location at, SourceNode node) {
    SourceNode.MapNode map =
        f.mapping(
            node,
            "step '" + id + "'",
            "; give it one of "
                + String.join(", ", KINDS)
                + ", e.g. { call: python:module:function }");
    if (map == null) {
      broken.add(id);
      return null;
    }
    List<SourceNode.Entry> kinds = new ArrayList<>();
    for (String k : KINDS) {
      SourceNode.Entry e = map.entry(k);
      if (e != null) {
        kinds.add(e);
      }
    }
    String kind = kinds.size() == 1 ? kinds.get(0).key() : null;
    boolean typoOfKind = checkKeys(map, id, kind, kinds.isEmpty());
    if (kinds.isEmpty()) {
      if (!typoOfKind) {
        f.error(at, "step '" + id + "' does nothing: give it one of " + String.join(", ", KINDS));
      }
      broken.add(id);
      return null;
    }
    if (kinds.size() > 1) {
      f.error(
          kinds.get(1).keyAt(),
          "step '"
              + id
              + "' has both '"
              + kinds.get(0).key()
              + "' and '"
              + kinds.get(1).key()
              + "'; a step is exactly one of "
              + String.join(", ", KINDS));
      broken.add(id);
      return null;
    }
    Optional<Template> when = Optional.ofNullable(map.get("if")).map(n -> condition(n, "if"));
    List<Located<String>> needs = f.strings(map, "needs");
    Optional<Located<Duration>> timeout = f.duration(map, "timeout");
    Optional<Template> onError = Optional.empty();
    SourceNode oe = map.get("on_error");
    if (oe != null) {
      SourceNode.MapNode om = f.mapping(oe, "on_error", ", e.g. on_error: { value: [] }");
      if (om != null) {
        f.onlyKeys(om, List.of("value"), "on_error");
        SourceNode v = om.get("value");
        if (v == null) {
          if (om.entries().isEmpty()) {
            f.error(oe.at(), "on_error needs value: (the step's result when it fails)");
          }
        } else {
          onError = Optional.of(m.templates.of(v));
        }
      }
    }
    Step.Action action = actions.action(kind, kinds.get(0), map, id, timeout);
    if (action == null) {
      broken.add(id);
      return null;
    }
    Optional<RetryPolicy> retry = Optional.empty();
    SourceNode.Entry r = map.entry("retry");
    if (r != null && BLOCK_RETRY.contains(kind)) {
      retry = m.retry(r, null);
    }
    return new Step(
        name, id, at, when, needs, timeout, onError, f.string(map, "description"), action, retry);
  }

  /**
   * Reports keys that do not belong on this step. Returns true if one of them looks like a typo of
   * a kind (so "does nothing" would only repeat it).
   */
  private boolean checkKeys(SourceNode.MapNode map, String id, String kind, boolean noKind) {
    List<String> allowed = new ArrayList<>(COMMON);
    allowed.addAll(KINDS);
    if (kind != null) {
      allowed.addAll(EXTRAS.get(kind));
    }
    boolean typoOfKind = false;
    for (SourceNode.Entry e : map.entries()) {
      String k = e.key();
      if (allowed.contains(k)) {
        continue;
      }
      List<String> owners = new ArrayList<>();
      EXTRAS.forEach(
          (kk, extras) -> {
            if (extras.contains(k)) {
              owners.add(kk);
            }
          });
      if (!owners.isEmpty()) {
        if (kind != null) {
          owners.sort(null);
          f.error(
              e.keyAt(),
              "'"
                  + k
                  + "' does not apply to "
                  + (kind.equals("http") ? "an " : "a ")
                  + kind
                  + " step (it belongs to "
                  + String.join(" and ", owners)
                  + " steps)");
        }
        continue;
      }
      Optional<String> guess = Spelling.closest(k, allowed);
      if (noKind && guess.isEmpty()) {
        List<String> every = new ArrayList<>(allowed);
        EXTRAS.values().forEach(every::addAll);
        guess = Spelling.closest(k, every);
      }
      typoOfKind |= guess.isPresent() && KINDS.contains(guess.get());
      f.error(
          e.keyAt(),
          "unknown key '"
              + k
              + "' in step '"
              + id
              + "'"
              + guess.map(g -> "; did you mean '" + g + "'?").orElse(""));
    }
    return typoOfKind;
  }

  /** {@code if}: a boolean, or one expression. */
  Template condition(SourceNode n, String key) {
    Template t = m.templates.of(n);
    if (t instanceof Template.Single
        || (t instanceof Template.Literal l && l.value().isBoolean())) {
      return t;
    }
    if (!brokenExpression(n, t)) {
      f.error(
          n.at(),
          key
              + " must be one expression, e.g. \"${{ input.userId > 0 }}\""
              + (t instanceof Template.Text ? " (text around ${{ }} makes it a string)" : ""));
    }
    return t;
  }

  /** Whether {@code n} held an expression that did not parse (and has been reported). */
  static boolean brokenExpression(SourceNode n, Template t) {
    return t instanceof Template.Literal
        && n instanceof SourceNode.ScalarNode s
        && s.value().isTextual()
        && s.value().textValue().contains("${{");
  }

  /** A loop variable name ({@code as}): a plain name that hides nothing built in. */
  Located<String> loopVariable(SourceNode.MapNode map, Location fallback) {
    return loopVariable(map, "as", fallback);
  }

  /**
   * A name bound inside a loop ({@code as}, {@code index}): a plain name hiding nothing built in.
   */
  Located<String> loopVariable(SourceNode.MapNode map, String key, Location fallback) {
    Optional<Located<String>> as = f.string(map, key);
    if (as.isEmpty()) {
      return new Located<>("item", fallback);
    }
    String v = as.get().value();
    if (!NAME.matcher(v).matches() || RESERVED.contains(v)) {
      f.error(
          as.get().at(),
          key
              + ": '"
              + v
              + "' cannot name a loop variable: use a plain name other than "
              + String.join(", ", new TreeSet<>(RESERVED)));
    }
    return as.get();
  }

  CallPolicy stepPolicy(
      SourceNode.MapNode map, Location at, Optional<Located<Duration>> timeout, boolean stream) {
    CallPolicy d = m.defaults();
    if (stream) {
      CallPolicy base =
          new CallPolicy(
              at,
              Optional.empty(),
              Optional.empty(),
              d.queueTimeout(),
              d.heartbeatTimeout(),
              Optional.empty(),
              Optional.empty());
      return m.policy(map, at, "step", List.of("queue_timeout", "heartbeat_timeout"), base);
    }
    CallPolicy p =
        m.policy(
            map,
            at,
            "step",
            List.of(
                "total_timeout", "queue_timeout", "heartbeat_timeout", "retry", "circuit_breaker"),
            d);
    return new CallPolicy(
        at,
        timeout.isPresent() ? timeout : d.timeout(),
        p.totalTimeout(),
        p.queueTimeout(),
        p.heartbeatTimeout(),
        p.retry(),
        p.circuitBreaker());
  }
}
