package dev.braid.gateway.workflow.internal;

import dev.braid.gateway.workflow.Block;
import dev.braid.gateway.workflow.Diagnostic;
import dev.braid.gateway.workflow.InputField;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Template;
import dev.braid.gateway.workflow.ValueType;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.gateway.workflow.expr.Expr;
import dev.braid.gateway.workflow.expr.Reference;
import dev.braid.gateway.workflow.expr.Spelling;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks every name the workflow's expressions and {@code needs} use, and builds the dependency
 * graph from them.
 *
 * <p>Visibility: a step sees the steps of its own {@code steps:} block and of every enclosing block
 * (names are unique in a workflow, so there is no shadowing); loop variables exist inside their
 * loop's {@code do}; {@code error} inside {@code catch} and {@code on_error}. A reference from
 * anywhere inside a step X to a step Y of an enclosing block makes the step of that block which
 * contains X depend on Y.
 */
public final class References {
  private record Frame(Map<String, Step> steps, String current) {}

  private record Env(List<Frame> frames, Map<String, String> loops, boolean error) {
    Env push(Frame f) {
      List<Frame> fs = new ArrayList<>(frames);
      fs.add(f);
      return new Env(fs, loops, error);
    }

    Env loop(String name, String owner) {
      Map<String, String> l = new LinkedHashMap<>(loops);
      l.put(name, owner);
      return new Env(frames, l, error);
    }

    Env withError() {
      return new Env(frames, loops, true);
    }
  }

  private final Workflow wf;
  private final Set<String> broken;
  private final List<Diagnostic> problems;

  /** Block step name to a phrase naming the block it is in ("the try: of 'guarded'"). */
  private final Map<String, String> containers = new HashMap<>();

  /** Loop variable name to the ids of the steps declaring it. */
  private final Map<String, List<String>> loopOwners = new LinkedHashMap<>();

  /** From step to step (same block) to where the dependency is written. */
  private final Map<String, Map<String, Location>> edges = new LinkedHashMap<>();

  private References(Workflow wf, Set<String> broken, List<Diagnostic> problems) {
    this.wf = wf;
    this.broken = broken;
    this.problems = problems;
  }

  /**
   * Checks {@code wf}'s names and cycles, adding problems to {@code problems}.
   *
   * @param broken ids of steps left out of the model (references to them are not reported)
   */
  public static References check(Workflow wf, Set<String> broken, List<Diagnostic> problems) {
    References r = new References(wf, broken, problems);
    r.survey(wf.steps(), null);
    Env root = new Env(List.of(), Map.of(), false);
    r.block(wf.steps(), root);
    wf.output().ifPresent(o -> r.template(o, root.push(new Frame(wf.steps().steps(), null))));
    new Cycles(r.edges, problems).check(wf.steps());
    return r;
  }

  /**
   * For each step of a {@code steps:} block, the steps of the same block it waits for. Steps in the
   * result are keyed by name (names are unique in a workflow).
   */
  public Map<String, Set<String>> graph() {
    Map<String, Set<String>> g = new LinkedHashMap<>();
    edges.forEach(
        (from, tos) -> g.put(from, Collections.unmodifiableSet(new LinkedHashSet<>(tos.keySet()))));
    return Collections.unmodifiableMap(g);
  }

  private void error(Location at, String message) {
    problems.add(new Diagnostic(at, message));
  }

  // -- where things are declared -------------------------------------------------------------

  private void survey(Block b, String container) {
    for (Step s : b.steps().values()) {
      containers.put(s.name(), container);
      surveyStep(s);
    }
  }

  private void surveyStep(Step s) {
    Step.Action a = s.action();
    if (a instanceof Step.Try t) {
      survey(t.body(), "the try: of step '" + s.id() + "'");
      t.catchBlock().ifPresent(h -> survey(h.block(), "the catch: of step '" + s.id() + "'"));
      t.finallyBlock().ifPresent(h -> survey(h.block(), "the finally: of step '" + s.id() + "'"));
      return;
    }
    if (a instanceof Step.ForEach f) {
      loopOwners.computeIfAbsent(f.as().value(), k -> new ArrayList<>()).add(s.id());
    } else if (a instanceof Step.Stream st) {
      loopOwners.computeIfAbsent(st.as().value(), k -> new ArrayList<>()).add(s.id());
    }
    for (Step c : Workflow.children(s)) {
      surveyStep(c);
    }
  }

  // -- the walk --------------------------------------------------------------------------------

  private void block(Block b, Env env) {
    for (Step s : b.steps().values()) {
      step(s, env.push(new Frame(b.steps(), s.name())));
    }
    b.output().ifPresent(o -> template(o, env.push(new Frame(b.steps(), null))));
  }

  private void step(Step s, Env env) {
    s.when().ifPresent(t -> template(t, env));
    for (Located<String> n : s.needs()) {
      stepRef(n.value(), n.at(), env);
    }
    s.onError().ifPresent(t -> template(t, env.withError()));
    Step.Action a = s.action();
    if (a instanceof Step.Call c) {
      c.with().ifPresent(t -> template(t, env));
      c.args().ifPresent(t -> template(t, env));
      c.with().ifPresent(t -> expectType(t, ValueType.OBJECT, "with"));
      c.args().ifPresent(t -> expectType(t, ValueType.ARRAY, "args"));
    } else if (a instanceof Step.Parallel p) {
      p.branches().values().forEach(b -> step(b, env));
    } else if (a instanceof Step.ForEach f) {
      template(f.items(), env);
      expectType(f.items(), ValueType.ARRAY, "for_each");
      step(f.body(), loop(env, f.as(), s));
    } else if (a instanceof Step.Try t) {
      block(t.body(), env);
      t.catchBlock().ifPresent(h -> block(h.block(), env.withError()));
      t.finallyBlock().ifPresent(h -> block(h.block(), env));
    } else if (a instanceof Step.Switch sw) {
      template(sw.value(), env);
      sw.cases().values().forEach(c -> step(c, env));
    } else if (a instanceof Step.Stream st) {
      st.with().ifPresent(t -> template(t, env));
      st.args().ifPresent(t -> template(t, env));
      st.with().ifPresent(t -> expectType(t, ValueType.OBJECT, "with"));
      st.args().ifPresent(t -> expectType(t, ValueType.ARRAY, "args"));
      st.body().ifPresent(b -> step(b, loop(env, st.as(), s)));
    } else if (a instanceof Step.Script sc) {
      sc.input().ifPresent(t -> template(t, env));
    } else if (a instanceof Step.Wait w) {
      w.until().ifPresent(t -> template(t, env));
    }
  }

  /**
   * Reports a value that is exactly {@code ${{ input.x }}} when {@code x} is declared with a type
   * that cannot be what {@code key} needs (the one type known before running).
   */
  private void expectType(Template t, ValueType needed, String key) {
    if (!(t instanceof Template.Single s)
        || !(s.expression().ast() instanceof Expr.Member m)
        || !(m.target() instanceof Expr.Name n)
        || !n.name().equals("input")) {
      return;
    }
    InputField field = wf.input().get(m.name());
    if (field == null || field.type().value() == needed || field.type().value() == ValueType.ANY) {
      return;
    }
    error(
        s.locate(n.pos()),
        key
            + " needs "
            + needed.article()
            + ", but input."
            + m.name()
            + " is declared as "
            + field.type().value().article());
  }

  private Env loop(Env env, Located<String> as, Step owner) {
    String outer = env.loops().get(as.value());
    if (outer != null) {
      error(
          as.at(),
          "loop variable '"
              + as.value()
              + "' of step '"
              + owner.id()
              + "' hides the one of step '"
              + outer
              + "'; choose another name with as:");
    }
    return env.loop(as.value(), owner.id());
  }

  private void template(Template t, Env env) {
    for (Template.Single s : t.expressions()) {
      for (Reference r : s.expression().references()) {
        reference(r, s, env);
      }
    }
  }

  private void reference(Reference r, Template.Single s, Env env) {
    String root = r.root();
    if (env.loops().containsKey(root)) {
      return;
    }
    switch (root) {
      case "input":
        input(r, s);
        return;
      case "steps":
        if (r.head() == null) {
          error(
              s.locate(r.pos()),
              "steps must be followed by a step name, e.g. steps.profile or steps.profile.name");
        } else {
          stepRef(r.head(), s.locate(r.headPos()), env);
        }
        return;
      case "secrets":
        secret(r, s);
        return;
      case "error":
        if (!env.error()) {
          error(
              s.locate(r.pos()),
              "'error' is defined only inside catch: (the failure being handled) and on_error:");
        }
        return;
      default:
        break;
    }
    List<String> owners = loopOwners.get(root);
    if (owners != null) {
      error(
          s.locate(r.pos()),
          "'"
              + root
              + "' is the loop variable of step '"
              + owners.get(0)
              + "' and is defined only inside its do:");
      return;
    }
    List<String> known = new ArrayList<>(List.of("input", "steps"));
    if (!wf.secrets().isEmpty()) {
      known.add("secrets");
    }
    known.addAll(env.loops().keySet());
    if (env.error()) {
      known.add("error");
    }
    error(
        s.locate(r.pos()),
        "unknown name '"
            + root
            + "'"
            + Spelling.closest(root, known)
                .map(g -> "; did you mean '" + g + "'?")
                .orElse(
                    ": an expression starts from "
                        + String.join(", ", known)
                        + (env.error() ? "" : " (or error, inside catch:)")));
  }

  /** {@code secrets.NAME}: only a name the workflow declares under {@code secrets:}. */
  private void secret(Reference r, Template.Single s) {
    if (r.head() == null) {
      error(
          s.locate(r.pos()),
          "secrets must be followed by a secret's name, e.g. secrets.API_TOKEN"
              + (r.dynamic() ? " (not a computed one: the names are checked before running)" : ""));
      return;
    }
    if (wf.secrets().containsKey(r.head())) {
      if (r.path().size() > 1) {
        error(s.locate(r.pathPos().get(1)), "secrets." + r.head() + " is a string");
      }
      return;
    }
    error(
        s.locate(r.headPos()),
        "secret '"
            + r.head()
            + "' is not declared"
            + Spelling.closest(r.head(), wf.secrets().keySet())
                .map(g -> "; did you mean '" + g + "'?")
                .orElse(
                    wf.secrets().isEmpty()
                        ? ": add secrets: [" + r.head() + "] at the top of the workflow"
                        : " (declared: " + String.join(", ", wf.secrets().keySet()) + ")"));
  }

  private void input(Reference r, Template.Single s) {
    if (r.path().isEmpty()) {
      return;
    }
    Location at = s.locate(r.headPos());
    if (r.head() == null) {
      error(at, "input is an object: read a field, e.g. input.userId");
      return;
    }
    InputField field = wf.input().get(r.head());
    if (field == null) {
      error(
          at,
          wf.input().isEmpty()
              ? "unknown input field '"
                  + r.head()
                  + "': the workflow declares no input (add input: { "
                  + r.head()
                  + ": string } or another type)"
              : "unknown input field '"
                  + r.head()
                  + "'"
                  + Spelling.closest(r.head(), wf.input().keySet())
                      .map(g -> "; did you mean '" + g + "'?")
                      .orElse(" (declared: " + String.join(", ", wf.input().keySet()) + ")"));
      return;
    }
    if (r.path().size() > 1 && !field.type().value().hasFields()) {
      error(
          s.locate(r.pathPos().get(1)),
          "input."
              + r.head()
              + " is "
              + field.type().value().article()
              + " and has no fields or elements");
    }
  }

  private void stepRef(String name, Location at, Env env) {
    List<Frame> frames = env.frames();
    for (int i = frames.size() - 1; i >= 0; i--) {
      Frame f = frames.get(i);
      if (!f.steps().containsKey(name)) {
        continue;
      }
      if (name.equals(f.current())) {
        error(
            at,
            i == frames.size() - 1
                ? "step '" + name + "' refers to itself"
                : "a step inside '" + name + "' cannot refer to '" + name + "', which contains it");
        return;
      }
      if (f.current() != null) {
        edges.computeIfAbsent(f.current(), k -> new LinkedHashMap<>()).putIfAbsent(name, at);
      }
      return;
    }
    if (broken.contains(name)) {
      return;
    }
    String container = containers.get(name);
    if (container != null || containers.containsKey(name)) {
      error(
          at,
          "step '"
              + name
              + "' is inside "
              + (container == null ? "the top-level steps" : container)
              + " and cannot be seen from here");
      return;
    }
    Set<String> visible = new LinkedHashSet<>();
    frames.forEach(f -> visible.addAll(f.steps().keySet()));
    error(
        at,
        "unknown step '"
            + name
            + "'"
            + Spelling.closest(name, visible).map(g -> "; did you mean '" + g + "'?").orElse(""));
  }
}
