package dev.braid.gateway.workflow.internal;

import dev.braid.gateway.workflow.Block;
import dev.braid.gateway.workflow.Diagnostic;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Workflow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds dependency cycles among the steps of each {@code steps:} block, by depth-first search in
 * the order the steps are written, and names each cycle once, starting from its first-written step
 * ({@code a -> b -> a}), at the place where that step refers to the next.
 */
final class Cycles {
  /** Steps named at each end of a long cycle. */
  private static final int SHOWN = 8;

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
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      index.put(order.get(i), i);
    }
    Set<Set<String>> reported = new HashSet<>();
    Set<String> done = new HashSet<>();
    for (String start : order) {
      dfs(start, done, index, reported);
    }
    for (Step s : b.steps().values()) {
      nested(s);
    }
  }

  private void nested(Step s) {
    if (s.action() instanceof Step.Try t) {
      check(t.body());
      t.catches().forEach(h -> check(h.handler().block()));
      t.finallyBlock().ifPresent(h -> check(h.block()));
      return;
    }
    for (Step c : Workflow.children(s)) {
      nested(c);
    }
  }

  /** A step on the search's path, with the steps it depends on still to visit. */
  private record Frame(String node, Iterator<String> next) {}

  /**
   * Depth-first from {@code start}, with an explicit stack: a chain of {@code needs} as long as the
   * file allows must not overflow the thread's stack.
   */
  private void dfs(
      String start, Set<String> done, Map<String, Integer> index, Set<Set<String>> reported) {
    if (done.contains(start)) {
      return;
    }
    List<String> path = new ArrayList<>();
    Map<String, Integer> onPath = new HashMap<>();
    Deque<Frame> frames = new ArrayDeque<>();
    path.add(start);
    onPath.put(start, 0);
    frames.push(new Frame(start, successors(start, index)));
    while (!frames.isEmpty()) {
      Frame f = frames.peek();
      if (!f.next().hasNext()) {
        frames.pop();
        path.remove(path.size() - 1);
        onPath.remove(f.node());
        done.add(f.node());
        continue;
      }
      String n = f.next().next();
      if (done.contains(n)) {
        continue;
      }
      Integer at = onPath.get(n);
      if (at != null) {
        List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
        if (reported.add(new HashSet<>(cycle))) {
          report(cycle, index);
        }
        continue;
      }
      onPath.put(n, path.size());
      path.add(n);
      frames.push(new Frame(n, successors(n, index)));
    }
  }

  /** The steps of the same block that {@code node} depends on, in the order they are written. */
  private Iterator<String> successors(String node, Map<String, Integer> index) {
    List<String> next = new ArrayList<>(edges.getOrDefault(node, Map.of()).keySet());
    next.removeIf(n -> !index.containsKey(n));
    next.sort(Comparator.comparingInt(index::get));
    return next.iterator();
  }

  /** The steps of a cycle joined by arrows; a long one shortened, so the message stays a line. */
  private static String chain(List<String> steps) {
    if (steps.size() <= SHOWN * 2) {
      return String.join(" -> ", steps);
    }
    return String.join(" -> ", steps.subList(0, SHOWN))
        + " -> ... ("
        + (steps.size() - 2 * SHOWN)
        + " more) -> "
        + String.join(" -> ", steps.subList(steps.size() - SHOWN, steps.size()));
  }

  private void report(List<String> cycle, Map<String, Integer> index) {
    int first = 0;
    for (int i = 1; i < cycle.size(); i++) {
      if (index.get(cycle.get(i)) < index.get(cycle.get(first))) {
        first = i;
      }
    }
    List<String> rotated = new ArrayList<>(cycle.subList(first, cycle.size()));
    rotated.addAll(cycle.subList(0, first));
    rotated.add(rotated.get(0));
    problems.add(
        new Diagnostic(
            edges.get(rotated.get(0)).get(rotated.get(1)),
            "dependency cycle: " + chain(rotated) + " (each waits for the next; break the cycle)"));
  }
}
