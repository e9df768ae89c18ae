package dev.braid.gateway.report;

import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunEvent.Status;
import dev.braid.model.Failure;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress as a table redrawn in place on a terminal: one line per step instance (status, step,
 * function or kind, elapsed or final duration, attempt, failure) and a summary line.
 *
 * <p>{@link #onEvent} only updates state under {@code lock}; a daemon timer thread renders under
 * that lock and writes outside it, so a slow terminal never holds up the run thread. The frames
 * themselves are serialized by {@code drawLock}. The run thread draws once more itself, the final
 * frame, on {@code RUN_FINISHED}.
 *
 * <p>A frame never has more than {@code maxStepLines} step lines plus the summary: running steps
 * first (oldest first), then the most recent failed or cancelled ones, then the most recent
 * finished ones, shown in the order they started. Lines are cut to the terminal's width and
 * autowrap is off while drawing, since a wrapped line would break the cursor-up arithmetic.
 */
final class LiveProgressView extends ProgressView {
  static final int DEFAULT_MAX_STEP_LINES = 20;

  /** The most step lines however tall the terminal: what the view keeps of finished steps. */
  static final int MAX_STEP_LINES = 200;

  /** At most ten frames a second. */
  static final long FRAME_INTERVAL_MS = 100;

  private static final Logger log = LoggerFactory.getLogger(LiveProgressView.class);
  private static final String ESC = "\u001b[";
  private static final int MAX_COLUMN = 32;

  private final PrintWriter err;
  // a monotonic reading only: the repaint timer below is no deadline
  private final LongSupplier ticker;
  // Follow the terminal's size (resize); read by the drawing thread.
  private volatile int maxStepLines;
  private volatile int width;
  private final boolean color;
  private final Map<String, String> descriptions;

  private final Object lock = new Object();
  // Guarded by lock.
  private boolean started;
  private long tickerAtRunStart;
  private long latestEventNanos;
  private long nextSeq;
  private final Map<String, Row> running = new LinkedHashMap<>();
  private final ArrayDeque<Row> recentFinished = new ArrayDeque<>();
  private final ArrayDeque<Row> recentProblems = new ArrayDeque<>();
  private final Map<String, Failure> failedSteps = new LinkedHashMap<>();
  // How each finished step instance ended: a failure is handled when an enclosing step ended ok.
  private final Map<String, Status> finished = new HashMap<>();
  private final LoopCounters loops = new LoopCounters();
  private int ok;
  private int skipped;
  private int failed;
  private int cancelled;
  private Status runStatus;
  private long runEndNanos;
  private Failure runFailure;

  private final Object drawLock = new Object();
  // Guarded by drawLock.
  private int linesOnScreen;
  private String lastFrame = "";
  private boolean finalDrawn;
  private ScheduledExecutorService timer;

  /** One step instance. Mutated under {@code lock} only. */
  private static final class Row {
    final String step;
    final long seq;
    final String what;
    final String kind;
    final long startNanos;
    long endNanos = -1;
    int attempt;

    /** Null while running. */
    Status status;

    /** While waiting to retry: when the next attempt is due, else -1. */
    long retryAtNanos = -1;

    Failure failure;

    Row(String step, long seq, String what, String kind, long startNanos) {
      this.step = step;
      this.seq = seq;
      this.what = what;
      this.kind = kind;
      this.startNanos = startNanos;
    }
  }

  /**
   * A view that draws only when asked ({@link #draw()}), until {@link #startTimer()}.
   *
   * @param maxStepLines the most step lines in one frame, besides the summary line
   * @param width the terminal's width: longer lines are cut to {@code width - 1}
   */
  LiveProgressView(
      PrintWriter err, LongSupplier ticker, int maxStepLines, int width, boolean color) {
    this(err, ticker, maxStepLines, width, color, Map.of());
  }

  /**
   * @param descriptions the workflow's step descriptions, shown in place of the function or kind
   *     (see {@link ProgressView#create(PrintWriter, boolean, Map)})
   */
  LiveProgressView(
      PrintWriter err,
      LongSupplier ticker,
      int maxStepLines,
      int width,
      boolean color,
      Map<String, String> descriptions) {
    if (maxStepLines < 1 || maxStepLines > MAX_STEP_LINES) {
      throw new IllegalArgumentException("maxStepLines not in 1.." + MAX_STEP_LINES);
    }
    if (width < 20) {
      throw new IllegalArgumentException("width < 20: " + width);
    }
    this.err = err;
    this.ticker = ticker;
    this.maxStepLines = maxStepLines;
    this.width = width;
    this.color = color;
    this.descriptions = descriptions;
  }

  /**
   * The view for a terminal of {@code rows} by {@code columns}: a frame takes at most all rows but
   * one (the summary line included), so the command line above stays visible on a small terminal.
   */
  static int stepLinesFor(int rows) {
    return Math.max(1, Math.min(MAX_STEP_LINES, rows - 2));
  }

  /** The terminal was resized: the next frame fits the new size. */
  void resize(Terminal.Size size) {
    maxStepLines = stepLinesFor(size.rows());
    width = Math.max(20, size.columns());
  }

  void startTimer() {
    synchronized (drawLock) {
      if (timer != null || finalDrawn) {
        return;
      }
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "braid-progress");
                t.setDaemon(true);
                return t;
              });
      timer.scheduleWithFixedDelay(
          this::tick, FRAME_INTERVAL_MS, FRAME_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }
  }

  private void tick() {
    try {
      draw();
    } catch (RuntimeException e) {
      // An exception would silently cancel the schedule; keep drawing the next frames.
      log.debug("progress frame failed", e);
    }
  }

  @Override
  public void onEvent(RunEvent e) {
    synchronized (lock) {
      update(e);
    }
    if (e.type() == RunEvent.Type.RUN_FINISHED) {
      drawFinal();
    }
  }

  private void update(RunEvent e) {
    if (!started) {
      started = true;
      tickerAtRunStart = ticker.getAsLong() - e.atNanos();
    }
    latestEventNanos = Math.max(latestEventNanos, e.atNanos());
    loops.onEvent(e);
    switch (e.type()) {
      case RUN_STARTED, ATTEMPT_FINISHED -> {
        // Nothing to show: the run line is always there; attempts show through their step.
      }
      case STEP_STARTED ->
          running.put(e.step(), new Row(e.step(), nextSeq++, what(e), e.kind(), e.atNanos()));
      case ATTEMPT_STARTED -> {
        Row r = running.get(e.step());
        if (r != null) {
          r.attempt = e.attempt();
          r.retryAtNanos = -1;
        }
      }
      case RETRY_SCHEDULED -> {
        Row r = running.get(e.step());
        if (r != null) {
          r.attempt = e.attempt();
          r.failure = e.failure();
          r.retryAtNanos = e.atNanos() + (e.retryWait() == null ? 0 : e.retryWait().toNanos());
        }
      }
      case STEP_FINISHED -> stepFinished(e);
      case RUN_FINISHED -> {
        runStatus = e.status() == null ? Status.OK : e.status();
        runEndNanos = e.atNanos();
        runFailure = e.failure();
      }
    }
  }

  private void stepFinished(RunEvent e) {
    Row r = running.remove(e.step());
    if (r == null) {
      // Skipped (or failed in its `if`) without having started.
      r = new Row(e.step(), nextSeq++, e.kind() == null ? "" : e.kind(), e.kind(), e.atNanos());
    }
    r.endNanos = e.atNanos();
    r.status = e.status() == null ? Status.OK : e.status();
    r.retryAtNanos = -1;
    r.failure = e.failure();
    finished.put(e.step(), r.status);
    switch (r.status) {
      case OK -> ok++;
      case SKIPPED -> skipped++;
      case FAILED -> failed++;
      case CANCELLED -> cancelled++;
    }
    if (r.status == Status.FAILED && e.failure() != null) {
      failedSteps.putIfAbsent(e.step(), e.failure());
    }
    keepRecent(recentFinished, r);
    if (r.status == Status.FAILED || r.status == Status.CANCELLED) {
      keepRecent(recentProblems, r);
    }
  }

  private void keepRecent(ArrayDeque<Row> rows, Row r) {
    rows.addLast(r);
    while (rows.size() > MAX_STEP_LINES) {
      rows.removeFirst();
    }
  }

  private String what(RunEvent e) {
    String described = Text.description(e.step(), descriptions);
    if (!described.isEmpty()) {
      return described;
    }
    if (e.function() != null) {
      return e.function();
    }
    return e.kind() == null ? "" : e.kind();
  }

  /** Draws a frame if it differs from the last one; the timer calls this. */
  void draw() {
    draw(false);
  }

  private void drawFinal() {
    draw(true);
    stopTimer();
  }

  private void draw(boolean last) {
    synchronized (drawLock) {
      if (finalDrawn) {
        return;
      }
      if (last) {
        finalDrawn = true;
      }
      List<String> lines;
      synchronized (lock) {
        if (!started) {
          return;
        }
        lines = render();
      }
      String frame = String.join("\n", lines);
      if (frame.equals(lastFrame)) {
        return;
      }
      StringBuilder out = new StringBuilder(frame.length() + 16 * lines.size() + 32);
      out.append(ESC).append("?7l");
      if (linesOnScreen > 0) {
        out.append('\r').append(ESC).append(linesOnScreen).append('A');
      }
      for (String line : lines) {
        out.append(ESC).append("2K").append(line).append('\n');
      }
      out.append(ESC).append('J').append(ESC).append("?7h");
      err.print(out);
      err.flush();
      lastFrame = frame;
      linesOnScreen = lines.size();
    }
  }

  private void stopTimer() {
    ScheduledExecutorService t;
    synchronized (drawLock) {
      t = timer;
      timer = null;
    }
    if (t != null) {
      t.shutdown();
    }
  }

  /** Stops the timer and draws the last frame if {@code RUN_FINISHED} has not; idempotent. */
  @Override
  public void close() {
    stopTimer();
    draw(true);
    err.flush();
  }

  /** Run time now: the finish time once finished, else the ticker, never behind the events. */
  private long now() {
    if (runStatus != null) {
      return runEndNanos;
    }
    return Math.max(latestEventNanos, ticker.getAsLong() - tickerAtRunStart);
  }

  private List<String> render() {
    long now = now();
    int cap = maxStepLines;
    Set<Row> chosen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Row r : running.values()) {
      if (chosen.size() >= cap) {
        break;
      }
      chosen.add(r);
    }
    fill(chosen, recentProblems, cap);
    fill(chosen, recentFinished, cap);
    List<Row> rows = new ArrayList<>(chosen);
    rows.sort(Comparator.comparingLong(r -> r.seq));

    int stepWidth = 3;
    int whatWidth = 0;
    for (Row r : rows) {
      stepWidth = Math.max(stepWidth, Math.min(MAX_COLUMN, r.step.length()));
      whatWidth = Math.max(whatWidth, Math.min(MAX_COLUMN, r.what.length()));
    }
    List<String> lines = new ArrayList<>(rows.size() + 1);
    for (Row r : rows) {
      lines.add(rowLine(r, now, stepWidth, whatWidth));
    }
    lines.add(summaryLine(now));
    return lines;
  }

  private void fill(Set<Row> chosen, ArrayDeque<Row> recent, int cap) {
    Iterator<Row> newestFirst = recent.descendingIterator();
    while (chosen.size() < cap && newestFirst.hasNext()) {
      chosen.add(newestFirst.next());
    }
  }

  private String rowLine(Row r, long now, int stepWidth, int whatWidth) {
    String word;
    String time;
    String extra = "";
    if (r.status == null) {
      time = Text.duration(now - r.startNanos);
      if (r.retryAtNanos >= 0) {
        word = "retrying";
        String why = r.failure == null ? "" : " (" + Text.headline(r.failure) + ")";
        extra = "attempt " + (r.attempt + 1) + " in " + Text.duration(r.retryAtNanos - now) + why;
      } else {
        word = "running";
        String attempt = r.attempt > 1 ? "attempt " + r.attempt : "";
        String progress = loops.progress(r.step, r.kind);
        extra =
            attempt.isEmpty() || progress.isEmpty()
                ? attempt + progress
                : attempt + ", " + progress;
      }
    } else {
      word = Text.lower(r.status);
      time = r.status == Status.SKIPPED ? "" : Text.duration(r.endNanos - r.startNanos);
      String attempts = r.attempt > 1 ? r.attempt + " attempts" : "";
      String failure = Text.headline(r.failure);
      if (!failure.isEmpty() && r.status == Status.OK) {
        failure = "recovered from " + failure;
      }
      extra =
          attempts.isEmpty() || failure.isEmpty() ? attempts + failure : attempts + ", " + failure;
    }
    String rest =
        pad(Text.cut(r.step, MAX_COLUMN), stepWidth)
            + "  "
            + pad(Text.cut(r.what, MAX_COLUMN), whatWidth)
            + "  "
            + padLeft(time, 7)
            + (extra.isEmpty() ? "" : "  " + extra);
    return styled(word, rest);
  }

  private String summaryLine(long now) {
    String word = runStatus == null ? "running" : Text.lower(runStatus);
    StringBuilder s = new StringBuilder("run ");
    s.append(Text.duration(now)).append(": ");
    if (runFailure != null) {
      // Only the step: its line has the headline, and the summary must stay one short line.
      String culprit = Text.culprit(failedSteps, runFailure);
      if (culprit != null) {
        s.append("step ").append(culprit).append(" failed; ");
      }
    }
    s.append(ok).append(" done, ").append(running.size()).append(" running, ");
    s.append(failed).append(" failed");
    int handled = handledFailures();
    if (handled > 0) {
      s.append(handled == failed ? " (handled)" : " (" + handled + " handled)");
    }
    if (skipped > 0) {
      s.append(", ").append(skipped).append(" skipped");
    }
    if (cancelled > 0) {
      s.append(", ").append(cancelled).append(" cancelled");
    }
    return styled(word, s.toString());
  }

  /**
   * How many failed step instances were handled: the run ended ok, or a step enclosing them ended
   * ok (a {@code try} that caught, a {@code settled} join, an {@code on_error} of a block).
   */
  private int handledFailures() {
    int handled = 0;
    for (Map.Entry<String, Status> f : finished.entrySet()) {
      if (f.getValue() == Status.FAILED
          && (runStatus == Status.OK || Text.enclosedByOk(f.getKey(), finished))) {
        handled++;
      }
    }
    return handled;
  }

  /** {@code word} in its color, padded to a column, then {@code rest}; cut to the width. */
  private String styled(String word, String rest) {
    String plain = Text.cut(pad(word, 9) + " " + Text.oneLine(rest), width - 1);
    if (!color || plain.length() < word.length()) {
      return plain;
    }
    return ESC + sgr(word) + "m" + word + ESC + "0m" + plain.substring(word.length());
  }

  private static String sgr(String word) {
    return switch (word) {
      case "ok" -> "32";
      case "failed" -> "31";
      case "retrying", "cancelled" -> "33";
      case "skipped" -> "2";
      default -> "36";
    };
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  private static String padLeft(String s, int width) {
    return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
  }
}
