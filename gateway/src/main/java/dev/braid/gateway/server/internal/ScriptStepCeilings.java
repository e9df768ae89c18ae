package dev.braid.gateway.server.internal;

import dev.braid.gateway.server.ScriptCeilings;
import dev.braid.gateway.workflow.Block;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.model.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code script} steps of a workflow the server is asked to run must stay within the same
 * ceilings as {@code ExecuteScript} ({@code --max-script-*}): an inline definition is as much a
 * client's request as an ExecuteScript is. Checked after parsing, before the run starts.
 */
final class ScriptStepCeilings {
  private ScriptStepCeilings() {}

  /**
   * Refuses {@code wf} with {@code INVALID_ARGUMENT}, one located line per script step limit above
   * a ceiling, if there is any.
   */
  static void check(Workflow wf, ScriptCeilings c) {
    List<String> problems = new ArrayList<>();
    walk(wf.steps(), c, problems);
    if (!problems.isEmpty()) {
      throw Requests.invalid("invalid workflow:\n" + String.join("\n", problems));
    }
  }

  private static void walk(Block block, ScriptCeilings c, List<String> out) {
    for (Step s : block.steps().values()) {
      walk(s, c, out);
    }
  }

  private static void walk(Step step, ScriptCeilings c, List<String> out) {
    Step.Action a = step.action();
    if (a instanceof Step.Parallel p) {
      p.branches().values().forEach(s -> walk(s, c, out));
    } else if (a instanceof Step.ForEach f) {
      walk(f.body(), c, out);
    } else if (a instanceof Step.Switch sw) {
      sw.cases().values().forEach(s -> walk(s, c, out));
    } else if (a instanceof Step.Stream st) {
      st.body().ifPresent(s -> walk(s, c, out));
    } else if (a instanceof Step.Try t) {
      walk(t.body(), c, out);
      t.catches().forEach(h -> walk(h.handler().block(), c, out));
      t.finallyBlock().ifPresent(h -> walk(h.block(), c, out));
    } else if (a instanceof Step.Script s) {
      script(step, s, c, out);
    }
  }

  private static void script(Step step, Step.Script s, ScriptCeilings c, List<String> out) {
    Optional<Located<Duration>> wall = step.timeout();
    if (wall.isPresent() && wall.get().value().compareTo(c.wallTimeout()) > 0) {
      out.add(
          line(
              wall.get().at(),
              "timeout",
              Durations.format(wall.get().value()),
              Durations.format(c.wallTimeout()),
              "--max-script-timeout"));
    }
    if (s.cpu().isPresent() && s.cpu().get().value().compareTo(c.cpuTime()) > 0) {
      out.add(
          line(
              s.cpu().get().at(),
              "cpu",
              Durations.format(s.cpu().get().value()),
              Durations.format(c.cpuTime()),
              "--max-script-cpu"));
    }
    if (s.memoryMb().isPresent() && s.memoryMb().get().value() > c.memoryMb()) {
      out.add(
          line(
              s.memoryMb().get().at(),
              "memory_mb",
              s.memoryMb().get().value() + " MiB",
              c.memoryMb() + " MiB",
              "--max-script-memory"));
    }
    if (s.maxOutput().isPresent() && s.maxOutput().get().value() > c.outputBytes()) {
      out.add(
          line(
              s.maxOutput().get().at(),
              "max_output",
              s.maxOutput().get().value() + " bytes",
              c.outputBytes() + " bytes",
              "--max-script-output"));
    }
  }

  /** "FILE:LINE:COL: error: ...", with the file's name only: never a path of the server. */
  private static String line(
      Location at, String field, String asked, String ceiling, String option) {
    return Path.of(at.file()).getFileName()
        + ":"
        + at.line()
        + ":"
        + at.column()
        + ": error: the script's "
        + field
        + " of "
        + asked
        + " is above this server's ceiling of "
        + ceiling
        + " ("
        + option
        + ")";
  }
}
