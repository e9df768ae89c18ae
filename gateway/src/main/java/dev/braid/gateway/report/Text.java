package dev.braid.gateway.report;

import dev.braid.gateway.engine.RunEvent;
import dev.braid.model.Failure;
import java.util.Locale;
import java.util.Map;

/** Formatting shared by the progress views: durations, timestamps, failures. */
final class Text {
  private Text() {}

  /**
   * A duration the way Braid writes them: {@code 0.4ms}, {@code 128ms}, {@code 1.25s}, {@code
   * 2m05s}.
   */
  static String duration(long nanos) {
    if (nanos < 0) {
      nanos = 0;
    }
    double ms = nanos / 1e6;
    if (ms < 10) {
      return trim(String.format(Locale.ROOT, "%.1f", ms)) + "ms";
    }
    if (ms < 1000) {
      return Math.round(Math.floor(ms)) + "ms";
    }
    double s = nanos / 1e9;
    if (s < 10) {
      return trim(String.format(Locale.ROOT, "%.2f", Math.floor(s * 100) / 100)) + "s";
    }
    if (s < 60) {
      return trim(String.format(Locale.ROOT, "%.1f", Math.floor(s * 10) / 10)) + "s";
    }
    long secs = (long) s;
    if (secs < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", secs / 60, secs % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", secs / 3600, (secs % 3600) / 60);
  }

  /** A point in the run, in seconds since it started, e.g. {@code 0.012s}. */
  static String timestamp(long atNanos) {
    return String.format(Locale.ROOT, "%.3fs", Math.max(0, atNanos) / 1e9);
  }

  private static String trim(String decimal) {
    if (decimal.indexOf('.') < 0) {
      return decimal;
    }
    String s = decimal.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /** {@code APPLICATION ValueError: declined}, on one line. */
  static String failure(Failure f) {
    if (f == null) {
      return "";
    }
    String headline = headline(f);
    return headline.isEmpty() ? f.code().name() : f.code().name() + " " + headline;
  }

  /** {@code ValueError: declined}, on one line, with the cancel reason if it says more. */
  static String headline(Failure f) {
    if (f == null) {
      return "";
    }
    String text = oneLine(f.headline());
    // The reason only when it says more than the code (sibling_failed, race_lost, ...) and the
    // message does not say it already (workers write "f was cancelled (race_lost)").
    if (f.reason() != null
        && !f.reason().isEmpty()
        && !f.reason().equalsIgnoreCase(f.code().name())
        && !text.contains(f.reason())) {
      text += (text.isEmpty() ? "(" : " (") + f.reason() + ")";
    }
    return text;
  }

  /** Folds line breaks and tabs so that one event stays on one output line. */
  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    return s.strip().replaceAll("\\s*[\\r\\n\\t]+\\s*", " ");
  }

  static String lower(RunEvent.Status status) {
    return status.name().toLowerCase(Locale.ROOT);
  }

  static String lower(RunEvent.Type type) {
    return type.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The step that caused a run's failure: the first step (in the order they failed) that failed
   * with the run's failure or one of its causes. The innermost step fails first and its parents
   * fail with the same record after it, so this names the step where it happened. Null if none
   * matches.
   *
   * @param failedSteps the failures of the steps that failed, in the order they failed
   */
  static String culprit(Map<String, Failure> failedSteps, Failure runFailure) {
    int depth = 0;
    for (Failure f = runFailure; f != null && depth < 32; f = f.cause(), depth++) {
      for (Map.Entry<String, Failure> e : failedSteps.entrySet()) {
        if (f.equals(e.getValue())) {
          return e.getKey();
        }
      }
    }
    return null;
  }

  /** Cuts {@code s} to at most {@code max} characters, marking the cut with {@code ...}. */
  static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    if (max <= 3) {
      return s.substring(0, Math.max(0, max));
    }
    return s.substring(0, max - 3) + "...";
  }

  /** Whether a step instance enclosing {@code id} (its parent, or theirs) finished ok. */
  static boolean enclosedByOk(String id, Map<String, RunEvent.Status> finished) {
    for (String p = StepIds.parent(id); p != null; p = StepIds.parent(p)) {
      if (finished.get(p) == RunEvent.Status.OK) {
        return true;
      }
    }
    return false;
  }

  /**
   * The description of step instance {@code id}: its model step's, found by dropping the item
   * indexes ({@code prices.do[3]} is an instance of {@code prices.do}); empty if it has none.
   */
  static String description(String id, Map<String, String> descriptions) {
    if (id == null || descriptions.isEmpty()) {
      return "";
    }
    String d = descriptions.get(id);
    if (d == null) {
      d = descriptions.get(ITEM_INDEX.matcher(id).replaceAll(""));
    }
    return d == null ? "" : oneLine(d);
  }

  private static final java.util.regex.Pattern ITEM_INDEX =
      java.util.regex.Pattern.compile("\\[[0-9]+\\]");
}
