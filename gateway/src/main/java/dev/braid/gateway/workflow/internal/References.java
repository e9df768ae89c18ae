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
import dev.braid.gateway.workflow.expr.ExpressionException;
import dev.braid.gateway.workflow.expr.Reference;
import dev.braid.gateway.workflow.expr.Scope;
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
 * <p>Visibility: a step sees the steps of its own {@code steps:} block and of every enclosing
 * block; a name reused in an inner block hides the outer step of that name (the nearest scope
 * wins); loop variables exist inside their loop's {@code do}; {@code loop} inside a {@code loop:}
 * step and a for_each's {@code until}; {@code error} (or a clause's {@code as} name) and {@code
 * completed} inside {@code catch}, {@code error} inside {@code on_error}; a {@code catch} also sees
 * its try body's steps. A reference from anywhere inside a step X to a step Y of an enclosing block
 * makes the step of that block which contains X depend on Y.
 */
public final class References {
  private record Frame(Map<String, Step> steps, Step current) {}

  /**
   * @param bound the names bound by a handler: {@code error} in {@code on_error}; a catch clause's
   *     {@code as} name and {@code completed} in its handler
   */
  private record Env(List<Frame> frames, Map<String, String> loops, Set<String> bound) {
    Env push(Frame f) {
      List<Frame> fs = new ArrayList<>(frames);
      fs.add(f);
      return new Env(fs, loops, bound);
    }

    Env loop(String name, String owner) {
      Map<String, String> l = new LinkedHashMap<>(loops);
      l.put(name, owner);
      return new Env(frames, l, bound);
    }

    Env bind(String... names) {
      Set<String> b = new LinkedHashSet<>(bound);
      b.addAll(List.of(names));
      return new Env(frames, loops, b);
    }

    Env withError() {
      return bind("error");
    }
  }

  /**
   * The name loops bind: {@code iteration.index}, {@code iteration.last}, {@code
   * iteration.results}. Not {@code loop}: CEL reserves that word.
   */
  private static final String LOOP = "iteration";

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
    Env root = new Env(List.of(), Map.of(), Set.of());
    r.block(wf.steps(), root);
    wf.output().ifPresent(o -> r.template(o, root.push(new Frame(wf.steps().steps(), null))));
    new Cycles(r.edges, problems).check(wf.steps());
    return r;
  }

  /**
   * For each step of a {@code steps:} block, the steps of the same block it waits for, all by id (a
   * name may be reused in another scope; an id is unique in the workflow).
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
      containers.putIfAbsent(s.name(), container);
      surveyStep(s);
    }
  }

  private void surveyStep(Step s) {
    Step.Action a = s.action();
    if (a instanceof Step.Try t) {
      survey(t.body(), "the try: of step '" + s.id() + "'");
      t.catches().forEach(h -> survey(h.handler().block(), "the catch: of step '" + s.id() + "'"));
      t.finallyBlock().ifPresent(h -> survey(h.block(), "the finally: of step '" + s.id() + "'"));
      return;
    }
    if (a instanceof Step.Loop l) {
      survey(l.body(), "the loop: of step '" + s.id() + "'");
      return;
    }
    if (a instanceof Step.ForEach f) {
      loopOwners.computeIfAbsent(f.as().value(), k -> new ArrayList<>()).add(s.id());
      f.index()
          .ifPresent(
              i -> loopOwners.computeIfAbsent(i.value(), k -> new ArrayList<>()).add(s.id()));
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
      step(s, env.push(new Frame(b.steps(), s)));
    }
    b.output().ifPresent(o -> template(o, env.push(new Frame(b.steps(), null))));
  }

  private void step(Step s, Env env) {
    s.when()
        .ifPresent(
            t -> {
              template(t, env, true);
              condition(t);
            });
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
      Env item = loop(env, f.as(), s);
      if (f.index().isPresent()) {
        item = loop(item, f.index().get(), s);
      }
      step(f.body(), item);
      Env stop = item.loop(LOOP, s.id());
      f.until().ifPresent(t -> template(t, stop, true));
    } else if (a instanceof Step.Loop l) {
      // `iteration` is bound anew by every loop: an inner one hides the outer one on purpose
      Env iteration = env.loop(LOOP, s.id());
      l.whileCondition().ifPresent(t -> template(t, iteration, true));
      block(l.body(), iteration);
      Env after = iteration.push(new Frame(l.body().steps(), null));
      l.until().ifPresent(t -> template(t, after, true));
    } else if (a instanceof Step.Try t) {
      block(t.body(), env);
      for (Step.Catch c : t.catches()) {
        // a handler sees the body's steps (those that completed have results, the others are
        // null): a saga compensates exactly what was done; no edge, the body is over by then
        Env handler = env.bind(c.as().value());
        c.when().ifPresent(w -> template(w, handler, true));
        block(
            c.handler().block(),
            handler.push(new Frame(t.body().steps(), null)).bind(Step.Catch.COMPLETED));
      }
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
    } else if (a instanceof Step.SetValue sv) {
      template(sv.value(), env);
    } else if (a instanceof Step.Raise r) {
      template(r.value(), env);
    } else if (a instanceof Step.Http h) {
      template(h.url(), env);
      h.headers().ifPresent(t -> template(t, env));
      h.query().ifPresent(t -> template(t, env));
      h.body().ifPresent(t -> template(t, env));
      h.headers().ifPresent(t -> expectType(t, ValueType.OBJECT, "headers"));
      h.query().ifPresent(t -> expectType(t, ValueType.OBJECT, "query"));
    } else if (a instanceof Step.SubWorkflow sw) {
      sw.input().ifPresent(t -> template(t, env));
      sw.input().ifPresent(t -> expectType(t, ValueType.OBJECT, "input"));
    }
  }

  /**
   * Reports a value that is exactly {@code ${{ input.x }}} when {@code x} is declared with a type
   * that cannot be what {@code key} needs (the one type known before running).
   */
  private void expectType(Template t, ValueType needed, String key) {
    if (!(t instanceof Template.Single s)) {
      return;
    }
    Reference r = s.expression().path().orElse(null);
    if (r == null || !r.root().equals("input") || r.path().size() != 1 || r.head() == null) {
      return;
    }
    InputField field = wf.input().get(r.head());
    if (field == null || field.type().value() == needed || field.type().value() == ValueType.ANY) {
      return;
    }
    error(
        s.locate(r.pos()),
        key
            + " needs "
            + needed.article()
            + ", but input."
            + r.head()
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
    template(t, env, false);
  }

  /** An {@code if:} that is a plain input field must be declared a boolean. */
  private void condition(Template t) {
    expectType(t, ValueType.BOOLEAN, "if");
  }

  /**
   * Checks the names of {@code t}'s expressions, then their types (and, for a {@code condition},
   * that each is a boolean).
   */
  private void template(Template t, Env env, boolean condition) {
    for (Template.Single s : t.expressions()) {
      int before = problems.size();
      for (Reference r : s.expression().references()) {
        reference(r, s, env);
      }
      if (problems.size() == before) {
        for (ExpressionException e : s.expression().check(scope(env), condition)) {
          error(s.locate(e.offset()), e.getMessage());
        }
      }
    }
  }

  /** Scopes already built, by the environment's loop variables and error (a few per workflow). */
  private final Map<List<Object>, Scope> scopes = new HashMap<>();

  /**
   * The root names an expression can read in {@code env}, with their types: the one place that
   * lists them for the type check (a new kind of name is one more {@code with} here, and one more
   * case in {@link #reference}).
   */
  private Scope scope(Env env) {
    return scopes.computeIfAbsent(
        List.of(env.loops().keySet(), env.bound()),
        k -> {
          Map<String, Scope.Type> fields = new LinkedHashMap<>();
          wf.input()
              .forEach(
                  (name, f) ->
                      // a field that may be left out is null then: of any type to the checker,
                      // so that input.x != null is not refused
                      fields.put(
                          name,
                          f.required() || f.defaultValue().isPresent()
                              ? scopeType(f.type().value())
                              : Scope.Type.ANY));
          Scope sc = Scope.empty().withObject("input", fields).with("steps", Scope.Type.OBJECT);
          if (!wf.secrets().isEmpty()) {
            // only then: without secrets:, reference() refuses secrets.X and says how to declare it
            sc = sc.with("secrets", Scope.Type.STRING_MAP);
          }
          for (String name : env.bound()) {
            // the failure record (error or a catch clause's as name); completed: step names
            sc = sc.with(name, name.equals("completed") ? Scope.Type.LIST : Scope.Type.OBJECT);
          }
          for (String loop : env.loops().keySet()) {
            sc = sc.with(loop, Scope.Type.ANY);
          }
          return sc;
        });
  }

  private static Scope.Type scopeType(ValueType t) {
    return switch (t) {
      case STRING -> Scope.Type.STRING;
      case INTEGER -> Scope.Type.INTEGER;
      case NUMBER -> Scope.Type.NUMBER;
      case BOOLEAN -> Scope.Type.BOOLEAN;
      case OBJECT -> Scope.Type.OBJECT;
      case ARRAY -> Scope.Type.LIST;
      case ANY -> Scope.Type.ANY;
    };
  }

  private void reference(Reference r, Template.Single s, Env env) {
    String root = r.root();
    if (env.loops().containsKey(root) || env.bound().contains(root)) {
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
      case LOOP:
        error(
            s.locate(r.pos()),
            "'iteration' is defined only inside a loop: step (its steps, while: and until:) and in the"
                + " until: of a for_each");
        return;
      case "secrets":
        secret(r, s);
        return;
      case "error":
        error(
            s.locate(r.pos()),
            "'error' is defined only inside catch: (the failure being handled) and on_error:");
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
    known.addAll(env.bound());
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
                        + (env.bound().contains("error") ? "" : " (or error, inside catch:)")));
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
      if (f.current() != null && name.equals(f.current().name())) {
        error(
            at,
            i == frames.size() - 1
                ? "step '" + name + "' refers to itself"
                : "a step inside '" + name + "' cannot refer to '" + name + "', which contains it");
        return;
      }
      if (f.current() != null) {
        edges
            .computeIfAbsent(f.current().id(), k -> new LinkedHashMap<>())
            .putIfAbsent(f.steps().get(name).id(), at);
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
