package dev.braid.gateway.workflow.internal;

import dev.braid.gateway.workflow.Block;
import dev.braid.gateway.workflow.Diagnostic;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Workflow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds dependency cycles among the steps of each {@code steps:} block, by depth-first search in
 * the order the steps are written, and names each cycle once, starting from its first-written step
 * ({@code a -> b -> a}), at the place where that step refers to the next.
 */
final class Cycles {
  private final Map<String, Map<String, Location>> edges;
  private final List<Diagnostic> problems;

  /**
   * @param edges from step to step (same block) to where the dependency is written
   */
  Cycles(Map<String, Map<String, Location>> edges, List<Diagnostic> problems) {
    this.edges = edges;
    this.problems = problems;
  }

  /** Checks {@code b} and every block nested in its steps. */
  void check(Block b) {
    List<String> order = new ArrayList<>(b.steps().keySet());
    Set<Set<String>> reported = new HashSet<>();
    Set<String> done = new HashSet<>();
    for (String start : order) {
      dfs(start, new ArrayList<>(), done, order, reported);
    }
    for (Step s : b.steps().values()) {
      nested(s);
    }
  }

  private void nested(Step s) {
    if (s.action() instanceof Step.Try t) {
      check(t.body());
      t.catchBlock().ifPresent(h -> check(h.block()));
      t.finallyBlock().ifPresent(h -> check(h.block()));
      return;
    }
    for (Step c : Workflow.children(s)) {
      nested(c);
    }
  }

  private void dfs(
      String node,
      List<String> stack,
      Set<String> done,
      List<String> order,
      Set<Set<String>> reported) {
    if (done.contains(node)) {
      return;
    }
    int at = stack.indexOf(node);
    if (at >= 0) {
      List<String> cycle = new ArrayList<>(stack.subList(at, stack.size()));
      if (reported.add(new HashSet<>(cycle))) {
        report(cycle, order);
      }
      return;
    }
    stack.add(node);
    List<String> next = new ArrayList<>(edges.getOrDefault(node, Map.of()).keySet());
    next.removeIf(n -> !order.contains(n));
    next.sort(Comparator.comparingInt(order::indexOf));
    for (String n : next) {
      dfs(n, stack, done, order, reported);
    }
    stack.remove(stack.size() - 1);
    done.add(node);
  }

  private void report(List<String> cycle, List<String> order) {
    int first = 0;
    for (int i = 1; i < cycle.size(); i++) {
      if (order.indexOf(cycle.get(i)) < order.indexOf(cycle.get(first))) {
        first = i;
      }
    }
    List<String> rotated = new ArrayList<>(cycle.subList(first, cycle.size()));
    rotated.addAll(cycle.subList(0, first));
    rotated.add(rotated.get(0));
    problems.add(
        new Diagnostic(
            edges.get(rotated.get(0)).get(rotated.get(1)),
            "dependency cycle: "
                + String.join(" -> ", rotated)
                + " (each waits for the next; break the cycle)"));
  }
}
