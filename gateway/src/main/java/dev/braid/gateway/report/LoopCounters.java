package dev.braid.gateway.report;

import dev.braid.gateway.engine.RunEvent;
import java.util.HashMap;
import java.util.Map;

/**
 * How far each {@code for_each}, {@code stream} and {@code loop} of a run has got, from the {@link
 * RunEvent#item()} of the steps inside their items: the live view's {@code build 17/26}. Not
 * thread-safe: the view calls it under its lock.
 */
final class LoopCounters {
  /** One loop step instance's items. */
  private static final class Counter {
    int count = -1;
    int started;
    int done;

    /** Per item index: the first step instance started in it, whose end ends the item. */
    final Map<Integer, String> firstStep = new HashMap<>();
  }

  private final Map<String, Counter> byLoop = new HashMap<>();

  /** Step instance to the loop item it started in. */
  private final Map<String, RunEvent.Item> itemOf = new HashMap<>();

  void onEvent(RunEvent e) {
    if (e.step() == null) {
      return;
    }
    if (e.type() == RunEvent.Type.STEP_STARTED && e.item() != null) {
      RunEvent.Item item = e.item();
      itemOf.put(e.step(), item);
      Counter c = byLoop.computeIfAbsent(item.parent(), k -> new Counter());
      c.count = item.count();
      if (c.firstStep.putIfAbsent(item.index(), e.step()) == null) {
        c.started++;
      }
    } else if (e.type() == RunEvent.Type.STEP_FINISHED) {
      RunEvent.Item item = itemOf.remove(e.step());
      if (item == null) {
        return;
      }
      Counter c = byLoop.get(item.parent());
      if (c != null && e.step().equals(c.firstStep.get(item.index()))) {
        c.done++;
      }
    }
  }

  /**
   * What to show beside the step instance {@code step} of kind {@code kind}: {@code 17/26 done} for
   * a {@code for_each} (or {@code 17 done} when the count is not known), {@code iteration 4 of at
   * most 10} for a {@code loop}; empty for a step without items (yet).
   */
  String progress(String step, String kind) {
    Counter c = byLoop.get(step);
    if (c == null) {
      return "";
    }
    if ("loop".equals(kind)) {
      return "iteration " + c.started + (c.count > 0 ? " of at most " + c.count : "");
    }
    return c.done + (c.count >= 0 ? "/" + c.count : "") + " done";
  }
}
