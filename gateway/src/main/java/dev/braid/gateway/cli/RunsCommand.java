package dev.braid.gateway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.braid.gateway.store.RunStatus;
import dev.braid.gateway.store.StoredRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code braid runs}: the runs of the store, newest first. */
@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    description = {
      "List the runs kept in the store, newest first: id, status, workflow, when it was",
      "created and how long it took (or has been running). Reads only: works while",
      "another braid holds the store."
    },
    footer = {
      "",
      "Statuses: running (in progress, or left by a braid that died: braid resume ID),",
      "succeeded, failed, cancelled.",
      "",
      "Examples:",
      "  braid runs",
      "  braid runs --status running",
      "  braid runs --limit 100 --json | jq '.[].id'"
    })
final class RunsCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The most runs one listing prints. */
  static final int MAX_LIMIT = 10_000;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--status",
      paramLabel = "S",
      description = "only runs with this status: running, succeeded, failed, cancelled")
  String status;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "at most N runs (default ${DEFAULT-VALUE}, at most " + MAX_LIMIT + ")")
  int limit = 20;

  @Option(names = "--json", description = "print a JSON array of the runs")
  boolean json;

  @CommandLine.Mixin StoreOptions storeOptions = new StoreOptions();

  @Override
  public Integer call() throws Exception {
    CommandLine cl = spec.commandLine();
    PrintWriter out = cl.getOut();
    PrintWriter err = cl.getErr();
    RunStatus wanted = parseStatus(cl, status);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new CommandLine.ParameterException(
          cl, "--limit must be between 1 and " + MAX_LIMIT + ", not " + limit);
    }
    if (storeOptions.notCreatedYet()) {
      err.println("no runs in the store " + storeOptions.location() + " (it does not exist yet)");
      return 0;
    }
    StoreHandle store = StoreErrors.open(storeOptions, true, err);
    if (store == null) {
      return 2;
    }
    try (store) {
      List<StoredRun> runs = store.store().list(wanted, limit);
      Instant now = Instant.now();
      if (json) {
        ArrayNode a = JSON.createArrayNode();
        runs.forEach(r -> a.add(RunViews.json(r, now)));
        out.println(JSON.writeValueAsString(a));
      } else if (runs.isEmpty()) {
        err.println(
            "no "
                + (wanted == null ? "" : RunViews.status(wanted) + " ")
                + "runs in the store "
                + storeOptions.location());
      } else {
        out.print(table(runs, now));
      }
      out.flush();
      return 0;
    }
  }

  static RunStatus parseStatus(CommandLine cl, String text) {
    if (text == null) {
      return null;
    }
    for (RunStatus s : RunStatus.values()) {
      if (RunViews.status(s).equals(text.toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new CommandLine.ParameterException(
        cl,
        "--status must be running, succeeded, failed or cancelled, not '"
            + RunViews.cell(text)
            + "'");
  }

  private static String table(List<StoredRun> runs, Instant now) {
    Path cwd = Path.of("").toAbsolutePath();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "STATUS", "WORKFLOW", "CREATED", "DURATION"});
    for (StoredRun r : runs) {
      rows.add(
          new String[] {
            RunViews.cell(r.runId()),
            RunViews.status(r.status()) + (r.cancelRequested() ? " (cancel requested)" : ""),
            RunViews.workflow(r.workflow(), cwd),
            RunViews.instant(r.created()),
            RunViews.duration(RunViews.runDuration(r, now))
          });
    }
    return RunViews.table(rows);
  }
}
