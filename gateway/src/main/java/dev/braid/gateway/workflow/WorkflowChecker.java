package dev.braid.gateway.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.FunctionRef;
import dev.braid.gateway.secrets.SecretSources;
import dev.braid.gateway.workflow.expr.Spelling;
import dev.braid.gateway.workflow.expr.Values;
import dev.braid.gateway.workflow.internal.CalleeInputs;
import dev.braid.gateway.workflow.internal.References;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything {@code braid check} (and {@code braid run}, before starting anything) verifies about a
 * workflow file, without running it. Collects every problem; never stops at the first.
 *
 * <ul>
 *   <li>the shape found while parsing ({@link ParsedWorkflow#problems()}): unknown keys with a "did
 *       you mean", steps with no kind or two, bad durations, enum words and counts, expression
 *       syntax and unknown expression functions;
 *   <li>names: references to unknown or invisible steps and input fields, {@code needs} naming
 *       unknown steps, loop variables used outside their loop, {@code error} outside {@code catch};
 *       dependency cycles, named ({@code a -> b -> a});
 *   <li>functions: malformed references, and functions the {@link FunctionCatalog} does not know
 *       (or generators used with {@code call:}, plain functions with {@code stream:});
 *   <li>the run's input, if given, against the {@code input:} declaration.
 * </ul>
 *
 * <p>Stateless: one instance may check many workflows, from any thread. {@link #check} runs on the
 * caller's thread and blocks while the catalog does.
 */
public final class WorkflowChecker {
  private static final Set<String> GENERATORS = Set.of("async_generator", "generator");

  private final FunctionCatalog catalog;
  private final SecretSources secrets;

  /** A checker that does not look for the secrets' values (see {@link #withSecrets}). */
  public WorkflowChecker(FunctionCatalog catalog) {
    this(catalog, null);
  }

  private WorkflowChecker(FunctionCatalog catalog, SecretSources secrets) {
    this.catalog = catalog;
    this.secrets = secrets;
  }

  /**
   * This checker, also reporting each declared secret that {@code sources} cannot give (at its name
   * under {@code secrets:}): what {@code braid check}, {@code braid run} and {@code braid serve}
   * do.
   */
  public WorkflowChecker withSecrets(SecretSources sources) {
    return new WorkflowChecker(catalog, sources);
  }

  /**
   * Every problem of {@code parsed}, sorted by position, without duplicates.
   *
   * @param input the run's input to check against the declaration, or null to skip that check
   */
  public List<Diagnostic> check(ParsedWorkflow parsed, JsonNode input) {
    List<Diagnostic> problems = new ArrayList<>(parsed.problems());
    Workflow wf = parsed.workflow();
    References.check(wf, parsed.broken(), problems);
    functions(wf, problems);
    subWorkflows(wf, problems);
    if (secrets != null) {
      problems.addAll(secrets.check(wf));
    }
    wf.schedule().flatMap(Schedule::input).ifPresent(in -> scheduleInput(wf, in, problems));
    if (input != null) {
      input(wf, input, problems);
    }
    return new ArrayList<>(new TreeSet<>(problems));
  }

  /** For each top-level or block step, the steps of the same block it waits for. */
  public static Map<String, Set<String>> dependencies(Workflow wf) {
    return References.check(wf, Set.of(), new ArrayList<>()).graph();
  }

  /**
   * Each callee reached through {@code workflow:} steps, once: the problems of its file and of its
   * names (located in that file); and at each call, the input given against the callee's
   * declaration. Its functions are among {@code wf.allSteps()}, checked with the caller's.
   */
  private static void subWorkflows(Workflow wf, List<Diagnostic> problems) {
    Set<ParsedWorkflow> checked = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Workflow> callers = new ArrayList<>(List.of(wf));
    callers.addAll(wf.subWorkflows());
    for (Workflow caller : callers) {
      List<Step> own = new ArrayList<>();
      caller.steps().steps().values().forEach(s -> Workflow.walk(s, own::add));
      for (Step s : own) {
        if (!(s.action() instanceof Step.SubWorkflow sw) || sw.callee().isEmpty()) {
          continue;
        }
        ParsedWorkflow callee = sw.callee().get();
        if (checked.add(callee)) {
          problems.addAll(callee.problems());
          References.check(callee.workflow(), callee.broken(), problems);
        }
        CalleeInputs.check(sw, caller, problems);
      }
    }
  }

  private void functions(Workflow wf, List<Diagnostic> problems) {
    for (Step s : wf.allSteps()) {
      Located<String> ref;
      boolean stream;
      if (s.action() instanceof Step.Call c) {
        ref = c.function();
        stream = false;
      } else if (s.action() instanceof Step.Stream st) {
        ref = st.function();
        stream = true;
      } else {
        continue;
      }
      Optional<String> syntax = syntax(ref.value());
      if (syntax.isPresent()) {
        problems.add(new Diagnostic(ref.at(), syntax.get()));
        continue;
      }
      Optional<String> problem = catalog.problem(ref.value());
      if (problem.isPresent()) {
        problems.add(new Diagnostic(ref.at(), problem.get()));
        continue;
      }
      if (s.action() instanceof Step.Call c && c.with().isPresent()) {
        keywords(ref.value(), c.with().get(), problems);
      }
      Optional<String> kind = catalog.kind(ref.value());
      if (kind.isPresent() && GENERATORS.contains(kind.get()) != stream) {
        problems.add(
            new Diagnostic(
                ref.at(),
                stream
                    ? ref.value()
                        + " is "
                        + article(kind.get())
                        + " function, not a generator: call it with call:"
                    : ref.value()
                        + " is "
                        + article(kind.get())
                        + ": consume it with stream: (one item at a time)"));
      }
    }
  }

  /**
   * Each {@code with:} key the function has no parameter for, at its value: the workers would
   * refuse the call, so the file is refused before anything runs.
   */
  private void keywords(String ref, Template with, List<Diagnostic> problems) {
    // the keys and where each is: a mapping with expressions, or a mapping of plain values
    Map<String, Location> keys = new LinkedHashMap<>();
    if (with instanceof Template.ObjectOf o) {
      o.fields().forEach((k, v) -> keys.put(k, v.at()));
    } else if (with instanceof Template.Literal l && l.value().isObject()) {
      l.value().fieldNames().forEachRemaining(k -> keys.put(k, l.at()));
    } else {
      return; // one expression: its keys are known only when it runs
    }
    Optional<List<String>> names = catalog.keywords(ref);
    if (names.isEmpty()) {
      return;
    }
    for (Map.Entry<String, Location> e : keys.entrySet()) {
      if (!names.get().contains(e.getKey())) {
        problems.add(
            new Diagnostic(
                e.getValue(),
                ref
                    + " has no parameter '"
                    + e.getKey()
                    + "' ("
                    + (names.get().isEmpty()
                        ? "it takes no named parameters"
                        : "its parameters: " + String.join(", ", names.get()))
                    + Spelling.closest(e.getKey(), names.get())
                        .map(g -> "; did you mean '" + g + "'?)")
                        .orElse(
                            "); name its parameters in with:, or pass values in order in args:")));
      }
    }
  }

  private static String article(String kind) {
    String words = kind.replace('_', ' ');
    return (words.startsWith("a") ? "an " : "a ") + words;
  }

  /** Why {@code ref} is malformed, judged as the workers would; empty if it is well formed. */
  static Optional<String> syntax(String ref) {
    FunctionRef parsed;
    try {
      parsed = FunctionRef.parse(ref);
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    String local = parsed.local();
    if (parsed.language().equals("node")) {
      int hash = local.lastIndexOf('#');
      if (hash <= 0 || hash == local.length() - 1) {
        return Optional.of(
            "invalid Node function reference '"
                + ref
                + "': write node:path/file.mjs#export, e.g. node:orders.mjs#getOrders");
      }
    } else if (parsed.language().equals("java")) {
      int hash = local.indexOf('#');
      if (hash <= 0 || hash == local.length() - 1) {
        return Optional.of(
            "invalid Java function reference '"
                + ref
                + "': write java:pkg.Class#method, e.g. java:examples.Recs#forUser");
      }
    }
    return Optional.empty();
  }

  private static void input(Workflow wf, JsonNode input, List<Diagnostic> problems) {
    Location top = wf.input().isEmpty() ? wf.at() : wf.input().values().iterator().next().at();
    if (!input.isObject()) {
      problems.add(
          new Diagnostic(
              top, "the input must be a JSON object of fields, not " + Values.typeName(input)));
      return;
    }
    for (InputField f : wf.input().values()) {
      JsonNode v = input.get(f.name());
      if (v == null) {
        if (f.required()) {
          problems.add(
              new Diagnostic(
                  f.at(),
                  "the input lacks required field '"
                      + f.name()
                      + "' ("
                      + f.type().value().word()
                      + ")"));
        }
        continue;
      }
      if (!f.type().value().admits(v)) {
        problems.add(
            new Diagnostic(
                f.at(),
                "input field '"
                    + f.name()
                    + "' must be "
                    + f.type().value().article()
                    + ", but the input gives "
                    + Values.typeName(v)
                    + " ("
                    + abbreviate(v.toString())
                    + ")"));
      }
    }
    for (Iterator<String> it = input.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!wf.input().containsKey(name)) {
        problems.add(
            new Diagnostic(
                top,
                "the input has field '"
                    + name
                    + "', which the workflow does not declare"
                    + (wf.input().isEmpty()
                        ? " (it declares no input)"
                        : Spelling.closest(name, wf.input().keySet())
                            .map(g -> "; did you mean '" + g + "'?")
                            .orElse(""))));
      }
    }
  }

  /** The schedule's input against the declaration, each problem at the schedule's input. */
  private static void scheduleInput(Workflow wf, Located<JsonNode> in, List<Diagnostic> problems) {
    List<Diagnostic> found = new ArrayList<>();
    input(wf, in.value(), found);
    for (Diagnostic d : found) {
      problems.add(new Diagnostic(in.at(), "schedule input: " + d.message()));
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
