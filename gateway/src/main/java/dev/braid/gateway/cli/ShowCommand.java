package dev.braid.gateway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.StoredEvent;
import dev.braid.gateway.store.StoredRun;
import dev.braid.gateway.store.StoredStep;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code braid show RUN_ID}: one run's steps, their outcomes and timing, and how it ended. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = {
      "Show one run kept in the store: each step instance (its path, status, attempts,",
      "duration, and failure if it failed), then the run's result or failure. Reads",
      "only: works while another braid holds the store, and on a run still going."
    },
    footer = {
      "",
      "Step statuses: ok, failed, cancelled, in flight (started, not settled: a resume",
      "runs it again with the next attempt), not settled (the run ended first).",
      "",
      "Examples:",
      "  braid show 0193a7c2-...",
      "  braid show 0193a7c2-... --json | jq '.steps[] | select(.status == \"failed\")'"
    })
final class ShowCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Events read to time the steps: past this, steps show no duration rather than wait. */
  static final int MAX_EVENTS = 200_000;

  private static final int PAGE = 5_000;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN_ID", description = "the run to show")
  String runId;

  @Option(names = "--json", description = "print the run and its steps as one JSON object")
  boolean json;

  @CommandLine.Mixin StoreOptions storeOptions = new StoreOptions();

  @Override
  public Integer call() throws Exception {
    CommandLine cl = spec.commandLine();
    PrintWriter out = cl.getOut();
    PrintWriter err = cl.getErr();
    RunIds.check(cl, runId);
    if (storeOptions.notCreatedYet()) {
      err.println(
          "error: no run "
              + runId
              + " in the store "
              + storeOptions.location()
              + " (it does not exist yet)");
      return 2;
    }
    StoreHandle store = StoreErrors.open(storeOptions, true, err);
    if (store == null) {
      return 2;
    }
    try (store) {
      Optional<StoredRun> found = store.store().get(runId);
      if (found.isEmpty()) {
        err.println("error: no run " + runId + " in the store " + storeOptions.location());
        return 2;
      }
      StoredRun run = found.get();
      List<StoredStep> steps = store.store().steps(runId);
      Map<String, Duration> took = stepDurations(store.store(), runId);
      Instant now = Instant.now();
      if (json) {
        ObjectNode o = JSON.createObjectNode();
        o.set("run", RunViews.json(run, now));
        ArrayNode a = o.putArray("steps");
        steps.forEach(s -> a.add(RunViews.json(s, run, took.get(s.path()))));
        out.println(JSON.writeValueAsString(o));
      } else {
        out.print(text(run, steps, took, now));
      }
      out.flush();
      return 0;
    }
  }

  private static String text(
      StoredRun run, List<StoredStep> steps, Map<String, Duration> took, Instant now) {
    StringBuilder sb = new StringBuilder();
    sb.append("run       ").append(run.runId()).append('\n');
    sb.append("workflow  ")
        .append(RunViews.workflow(run.workflow(), Path.of("").toAbsolutePath()))
        .append('\n');
    sb.append("status    ").append(RunViews.status(run.status()));
    if (run.cancelRequested() && !run.status().isFinal()) {
      sb.append(" (cancel requested: honoured when resumed)");
    } else if (!run.status().isFinal()) {
      sb.append(run.owner() == null ? "" : " (owner " + RunViews.cell(run.owner()) + ")");
    }
    sb.append('\n');
    sb.append("created   ").append(RunViews.instant(run.created())).append('\n');
    if (run.finished() != null) {
      sb.append("finished  ")
          .append(RunViews.instant(run.finished()))
          .append(" (")
          .append(RunViews.duration(RunViews.runDuration(run, now)))
          .append(")\n");
    }
    if (run.deadline() != null) {
      sb.append("deadline  ").append(RunViews.instant(run.deadline())).append('\n');
    }
    if (!steps.isEmpty()) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"STEP", "STATUS", "ATTEMPTS", "DURATION", "FAILURE"});
      for (StoredStep s : steps) {
        rows.add(
            new String[] {
              RunViews.cell(s.path()),
              RunViews.status(s, run),
              s.attempt() == 0 ? "-" : Integer.toString(s.attempt()), // 0: not a call
              RunViews.duration(took.get(s.path())),
              s.outcome() == null || s.outcome().isOk()
                  ? ""
                  : RunViews.cell(RunViews.failure(s.outcome().failure()))
            });
      }
      sb.append('\n').append(RunViews.table(rows));
    }
    if (run.result() != null) {
      sb.append("\nresult: ").append(RunViews.value(run.result())).append('\n');
    }
    if (run.failure() != null) {
      String f = run.failure().render();
      sb.append("\nfailure: ")
          .append(TerminalText.visible(RunViews.cut(f, RunViews.MAX_VALUE)))
          .append('\n');
    }
    return sb.toString();
  }

  /**
   * How long each step instance took, from its STARTED and FINISHED events. Event times count from
   * the start of each life of the run (they restart on resume), so a start is paired only with a
   * finish of the same life: time going backwards marks a new one.
   */
  static Map<String, Duration> stepDurations(RunStore store, String runId) {
    Map<String, Long> started = new HashMap<>();
    Map<String, Duration> took = new HashMap<>();
    long last = Long.MIN_VALUE;
    long from = 0;
    int seen = 0;
    while (seen < MAX_EVENTS) {
      List<StoredEvent> page = store.events(runId, from, PAGE);
      for (StoredEvent se : page) {
        RunEvent e = se.event();
        if (e.atNanos() < last || e.type() == RunEvent.Type.RUN_STARTED) {
          started.clear();
        }
        last = e.atNanos();
        if (e.step() != null && e.type() == RunEvent.Type.STEP_STARTED) {
          started.put(e.step(), e.atNanos());
        } else if (e.step() != null && e.type() == RunEvent.Type.STEP_FINISHED) {
          Long t0 = started.remove(e.step());
          took.put(e.step(), t0 == null ? null : Duration.ofNanos(e.atNanos() - t0));
        }
        from = se.seq() + 1;
      }
      seen += page.size();
      if (page.size() < PAGE) {
        break;
      }
    }
    return took;
  }
}
