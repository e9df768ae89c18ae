package dev.braid.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.FailureJson;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.gateway.store.RunStatus;
import dev.braid.gateway.store.StoredRun;
import dev.braid.gateway.store.StoredStep;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * How {@code braid runs} and {@code braid show} print stored runs: text tables for people (every
 * stored string made safe for a terminal and cut to a width), JSON for programs (complete).
 */
final class RunViews {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The widest a workflow, step path or failure is shown in a table. */
  static final int MAX_CELL = 60;

  /** The most characters of a result or failure text shows. */
  static final int MAX_VALUE = 2000;

  private RunViews() {}

  static String status(RunStatus s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  /** The status of one step instance of a run: ok, failed, cancelled, in flight, not settled. */
  static String status(StoredStep step, StoredRun run) {
    StepOutcome o = step.outcome();
    if (o == null) {
      return run.status() == RunStatus.RUNNING ? "in flight" : "not settled";
    }
    if (o.isOk()) {
      return "ok";
    }
    return o.failure().code() == FailureCode.CANCELLED ? "cancelled" : "failed";
  }

  /** {@code 120ms}, {@code 3.2s}, {@code 4m05s}, {@code 2h03m}; "-" for null or negative. */
  static String duration(Duration d) {
    if (d == null || d.isNegative()) {
      return "-";
    }
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
    return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, s % 86_400 / 3600);
  }

  /** How long a run took, or has been running until {@code now}. */
  static Duration runDuration(StoredRun run, Instant now) {
    Instant end = run.finished() != null ? run.finished() : now;
    return run.created() == null ? null : Duration.between(run.created(), end);
  }

  /** An instant to the second, in UTC: {@code 2026-12-05T20:01:02Z}; "-" for null. */
  static String instant(Instant t) {
    return t == null ? "-" : t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The workflow as a person reads it: the file relative to {@code cwd} when it is under it. */
  static String workflow(String workflow, Path cwd) {
    String shown = workflow;
    try {
      Path p = Path.of(workflow);
      if (p.isAbsolute() && p.startsWith(cwd)) {
        shown = cwd.relativize(p).toString();
      }
    } catch (InvalidPathException notAPath) {
      // a name a client gave: shown as it is
    }
    return cell(shown);
  }

  /** {@code text} made safe for a terminal, on one line, cut to {@link #MAX_CELL} characters. */
  static String cell(String text) {
    return cut(TerminalText.visible(text.replace("\n", " ")), MAX_CELL);
  }

  static String cut(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }

  /** A failure on one line: its code and headline. */
  static String failure(Failure f) {
    return f.code() + " " + f.headline();
  }

  /** A JSON value printed compactly, made safe for a terminal, cut to {@link #MAX_VALUE}. */
  static String value(JsonNode v) {
    String text = compact(v);
    if (text.length() > MAX_VALUE) {
      return TerminalText.visible(text.substring(0, MAX_VALUE))
          + "… ("
          + (text.length() - MAX_VALUE)
          + " more characters: --json prints all)";
    }
    return TerminalText.visible(text);
  }

  static String compact(JsonNode v) {
    try {
      return JSON.writeValueAsString(v);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A run as {@code --json} prints it. */
  static ObjectNode json(StoredRun run, Instant now) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", run.runId());
    o.put("status", status(run.status()));
    o.put("workflow", run.workflow());
    o.put("created", run.created() == null ? null : run.created().toString());
    o.put("finished", run.finished() == null ? null : run.finished().toString());
    o.put("deadline", run.deadline() == null ? null : run.deadline().toString());
    Duration d = runDuration(run, now);
    if (d != null) {
      o.put("durationMs", d.toMillis());
    } else {
      o.putNull("durationMs");
    }
    o.put("owner", run.owner());
    o.put("cancelRequested", run.cancelRequested());
    o.set("input", run.input());
    o.set("result", run.result());
    o.set("failure", run.failure() == null ? null : FailureJson.toJson(run.failure()));
    return o;
  }

  /** A step instance as {@code braid show --json} prints it. */
  static ObjectNode json(StoredStep step, StoredRun run, Duration took) {
    ObjectNode o = JSON.createObjectNode();
    o.put("path", step.path());
    o.put("status", status(step, run));
    o.put("attempts", step.attempt());
    if (took != null && !took.isNegative()) {
      o.put("durationMs", took.toMillis());
    } else {
      o.putNull("durationMs");
    }
    o.put("recordedAt", step.recordedAt() == null ? null : step.recordedAt().toString());
    StepOutcome out = step.outcome();
    if (out != null && out.isOk()) {
      o.set("value", out.value());
    } else if (out != null) {
      o.set("failure", FailureJson.toJson(out.failure()));
    }
    return o;
  }

  /**
   * Rows as a left-aligned table, columns two spaces apart; the last column is not padded. Every
   * cell must already be safe ({@link #cell}).
   */
  static String table(List<String[]> rows) {
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int i = 0; i < cols; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        line.append(r[i]);
        if (i < cols - 1) {
          line.append(" ".repeat(width[i] - r[i].length() + 2));
        }
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    return sb.toString();
  }
}
