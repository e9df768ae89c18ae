package dev.braid.gateway.report;

import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.model.Failure;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Progress as plain lines, one per meaningful event, for logs:
 *
 * <pre>
 *   0.012s  profile            started   python:shop:get_profile
 *   0.140s  profile            ok        128ms
 *   0.200s  pay                retry     attempt 1 failed (APPLICATION ValueError: declined); next in 200ms
 *   0.900s  run                failed    step pay: APPLICATION ValueError: declined
 * </pre>
 *
 * Each line is flushed as it is written. Not thread-safe: events come from the run thread only.
 */
final class PlainProgressView extends ProgressView {
  private final PrintWriter err;
  private final Map<String, Started> open = new HashMap<>();

  /** Failures of the steps that failed, in the order they failed: the run line names the first. */
  private final Map<String, Failure> failedSteps = new LinkedHashMap<>();

  /** How each finished step instance ended, to tell handled failures in the run's line. */
  private final Map<String, Status> finished = new HashMap<>();

  private volatile boolean closed;

  private record Started(long atNanos, int attempts) {
    Started withAttempt(int attempt) {
      return new Started(atNanos, Math.max(attempts, attempt));
    }
  }

  private final Map<String, String> descriptions;

  PlainProgressView(PrintWriter err, Map<String, String> descriptions) {
    this.err = err;
    this.descriptions = descriptions;
  }

  @Override
  public void onEvent(RunEvent e) {
    if (closed) {
      return;
    }
    switch (e.type()) {
      case RUN_STARTED -> line(e.atNanos(), "run", "started", "");
      case STEP_STARTED -> {
        open.put(e.step(), new Started(e.atNanos(), 0));
        String described = Text.description(e.step(), descriptions);
        line(
            e.atNanos(),
            e.step(),
            "started",
            described.isEmpty() ? what(e) : what(e) + "  (" + described + ")");
      }
      case ATTEMPT_STARTED -> {
        open.computeIfPresent(e.step(), (k, s) -> s.withAttempt(e.attempt()));
        // The first attempt starts with its step; later ones follow a "retry" line.
        if (e.attempt() > 1) {
          line(e.atNanos(), e.step(), "attempt", String.valueOf(e.attempt()));
        }
      }
      case ATTEMPT_FINISHED -> {
        // Shown through the retry or the step's end.
      }
      case RETRY_SCHEDULED -> {
        String why = e.failure() == null ? "" : " (" + Text.failure(e.failure()) + ")";
        String next =
            e.retryWait() == null ? "" : "; next in " + Text.duration(e.retryWait().toNanos());
        line(e.atNanos(), e.step(), "retry", "attempt " + e.attempt() + " failed" + why + next);
      }
      case STEP_FINISHED -> stepFinished(e);
      case RUN_FINISHED -> runFinished(e);
    }
  }

  private void stepFinished(RunEvent e) {
    Started s = open.remove(e.step());
    Status status = e.status() == null ? Status.OK : e.status();
    finished.put(e.step(), status);
    if (status == Status.FAILED && e.failure() != null) {
      failedSteps.putIfAbsent(e.step(), e.failure());
    }
    StringBuilder detail = new StringBuilder();
    if (s != null && status != Status.SKIPPED) {
      detail.append(Text.duration(e.atNanos() - s.atNanos()));
      if (s.attempts() > 1) {
        detail.append(" (").append(s.attempts()).append(" attempts)");
      }
    }
    if (e.failure() != null) {
      detail.append(detail.isEmpty() ? "" : "  ");
      // A step that finishes OK with a failure recovered through its on_error.
      detail.append(status == Status.OK ? "recovered from " : "");
      detail.append(Text.failure(e.failure()));
    }
    line(e.atNanos(), e.step(), Text.lower(status), detail.toString());
  }

  private void runFinished(RunEvent e) {
    Status status = e.status() == null ? Status.OK : e.status();
    String detail;
    if (e.failure() == null) {
      detail = status == Status.OK ? Text.duration(e.atNanos()) + handled() : "";
    } else {
      String culprit = Text.culprit(failedSteps, e.failure());
      detail = (culprit == null ? "" : "step " + culprit + ": ") + Text.failure(e.failure());
    }
    line(e.atNanos(), "run", Text.lower(status), detail);
  }

  /** For a run that ended ok after failures: how many steps failed, all of them handled. */
  private String handled() {
    long failed = finished.values().stream().filter(s -> s == Status.FAILED).count();
    return failed == 0 ? "" : "  (" + failed + " failed, handled)";
  }

  private static String what(RunEvent e) {
    if (e.function() == null) {
      return e.kind() == null ? "" : e.kind();
    }
    return e.kind() == null || e.kind().equals("call")
        ? e.function()
        : e.kind() + " " + e.function();
  }

  private void line(long atNanos, String step, String word, String detail) {
    String text =
        String.format(
            Locale.ROOT, "%8s  %-18s %-9s %s", Text.timestamp(atNanos), step, word, detail);
    err.println(text.stripTrailing());
    err.flush();
  }

  @Override
  public void close() {
    closed = true;
    err.flush();
  }
}
