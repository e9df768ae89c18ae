package dev.braid.gateway.workflow;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A parsed workflow file. Immutable. Every element keeps where it was written, so that problems
 * found later (at check time or while running) can name the file, line and column.
 *
 * @param file the file as read; modules of {@code call} references resolve relative to its folder
 * @param at the start of the file
 * @param name {@code name}, or the file name without its extension
 * @param description free text
 * @param input the declared input fields, in order (empty: the workflow takes no input fields)
 * @param timeout the whole run's deadline
 * @param defaults settings every {@code call} (and the generator call of every {@code stream})
 *     starts from
 * @param steps the top-level steps
 * @param output the run's result; absent: an object of every top-level step's result by name
 * @param secrets the secrets the workflow declares ({@code secrets:}), by name, in order
 * @param schedule when {@code braid serve} starts runs by itself ({@code schedule:})
 */
public record Workflow(
    Path file,
    Location at,
    Located<String> name,
    Optional<Located<String>> description,
    Map<String, InputField> input,
    Optional<Located<Duration>> timeout,
    CallPolicy defaults,
    Block steps,
    Optional<Template> output,
    Map<String, Secret> secrets,
    Optional<Schedule> schedule) {
  public Workflow {
    input = Collections.unmodifiableMap(new LinkedHashMap<>(input));
    secrets = Collections.unmodifiableMap(new LinkedHashMap<>(secrets));
  }

  /** This workflow with its run timeout replaced by {@code t}. */
  public Workflow withTimeout(Optional<Located<Duration>> t) {
    return new Workflow(
        file, at, name, description, input, t, defaults, steps, output, secrets, schedule);
  }

  /** The folder the file is in: where {@code python:} and {@code node:} modules are found. */
  public Path folder() {
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? Path.of("").toAbsolutePath() : parent;
  }

  /**
   * Every step, nested ones included, depth first in the order written; then those of every
   * workflow reached through {@code workflow:} steps ({@link #subWorkflows()}), each once.
   */
  public List<Step> allSteps() {
    List<Step> out = new ArrayList<>();
    for (Workflow w : withSubWorkflows()) {
      w.steps.steps().values().forEach(s -> walk(s, out::add));
    }
    return out;
  }

  /**
   * The workflows this one reaches through {@code workflow:} steps, directly or not, each once
   * (however often it is called), in the order first met.
   */
  public List<Workflow> subWorkflows() {
    List<Workflow> all = withSubWorkflows();
    return all.subList(1, all.size());
  }

  private List<Workflow> withSubWorkflows() {
    // by identity: a callee read once is one object, and records compare deeply
    Set<Workflow> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Workflow> order = new ArrayList<>(List.of(this));
    seen.add(this);
    for (int i = 0; i < order.size(); i++) {
      List<Step> own = new ArrayList<>();
      order.get(i).steps.steps().values().forEach(s -> walk(s, own::add));
      for (Step s : own) {
        if (s.action() instanceof Step.SubWorkflow sw && sw.callee().isPresent()) {
          Workflow c = sw.callee().get().workflow();
          if (c != null && seen.add(c)) {
            order.add(c);
          }
        }
      }
    }
    return order;
  }

  /** Every function reference ({@code call} and {@code stream}), in the order written. */
  public List<Located<String>> functions() {
    List<Located<String>> out = new ArrayList<>();
    for (Step s : allSteps()) {
      if (s.action() instanceof Step.Call c) {
        out.add(c.function());
      } else if (s.action() instanceof Step.Stream st) {
        out.add(st.function());
      }
    }
    return out;
  }

  /** Calls {@code visit} on {@code step} and on every step nested in it, depth first. */
  public static void walk(Step step, Consumer<Step> visit) {
    visit.accept(step);
    for (Step child : children(step)) {
      walk(child, visit);
    }
  }

  /** The steps directly inside {@code step}: branches, bodies, cases, block steps. */
  public static List<Step> children(Step step) {
    List<Step> out = new ArrayList<>();
    Step.Action a = step.action();
    if (a instanceof Step.Parallel p) {
      out.addAll(p.branches().values());
    } else if (a instanceof Step.ForEach f) {
      out.add(f.body());
    } else if (a instanceof Step.Try t) {
      out.addAll(t.body().steps().values());
      t.catches().forEach(h -> out.addAll(h.handler().block().steps().values()));
      t.finallyBlock().ifPresent(h -> out.addAll(h.block().steps().values()));
    } else if (a instanceof Step.Switch sw) {
      out.addAll(sw.cases().values());
    } else if (a instanceof Step.Stream st) {
      st.body().ifPresent(out::add);
    } else if (a instanceof Step.Loop l) {
      out.addAll(l.body().steps().values());
    }
    return out;
  }
}
