package dev.braid.gateway.cli;

import dev.braid.api.Braid;
import dev.braid.gateway.engine.WorkflowEngine;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.StoreException;
import dev.braid.gateway.store.StoredRun;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.WorkerFunctionCatalog;
import dev.braid.gateway.workflow.WorkflowSyntaxException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code braid resume RUN_ID}: continues a run that a crash or kill left unfinished, on the
 * definition and input it started with; steps it recorded are not run again.
 */
@Command(
    name = "resume",
    mixinStandardHelpOptions = true,
    description = {
      "Continue a run that braid left unfinished (a crash, a kill -9, a machine that went",
      "down): it replays on the definition and input the run started with. Steps whose",
      "outcome was recorded are not run again; a call that was in flight runs again with",
      "the next attempt number and the same idempotency key.",
      "Functions are found next to the workflow file the run started from, as braid run",
      "found them. Output and exit codes as braid run. Finished runs (succeeded, failed,",
      "cancelled) cannot be resumed."
    },
    footer = {
      "",
      "Examples:",
      "  braid runs --status running            (the runs left to resume)",
      "  braid resume 0193a7c2-...              (the id braid run printed)",
      "  braid resume 0193a7c2-... --json > events.jsonl"
    })
final class ResumeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN_ID", description = "the run to continue")
  String runId;

  @Option(
      names = "--catalog-timeout",
      paramLabel = "D",
      description = "how long to wait for a worker's catalog while checking (default 60s)")
  String catalogTimeout = "60s";

  @CommandLine.Mixin ViewOptions view = new ViewOptions();

  @CommandLine.Mixin WorkerOptions paths = new WorkerOptions();

  @CommandLine.Mixin SecretOptions secrets = new SecretOptions();

  @CommandLine.Mixin StoreOptions storeOptions = new StoreOptions();

  @Override
  public Integer call() throws IOException {
    CommandLine cl = spec.commandLine();
    PrintWriter out = cl.getOut();
    PrintWriter err = cl.getErr();
    RunIds.check(cl, runId);
    Duration wait = WorkflowLoader.duration(cl, catalogTimeout, "--catalog-timeout");
    StoreHandle store = StoreErrors.open(storeOptions, false, err);
    if (store == null) {
      return 2;
    }
    store.listenForSignals(storeOptions.location());
    try (store) {
      Optional<StoredRun> found = store.store().get(runId);
      if (found.isEmpty()) {
        err.println("error: no run " + runId + " in the store " + storeOptions.location());
        return 2;
      }
      if (found.get().status().isFinal()) {
        err.println(
            "error: run "
                + runId
                + " is "
                + RunViews.status(found.get().status())
                + ": only an unfinished run can be resumed (braid show "
                + runId
                + " tells how it ended)");
        return 2;
      }
      RunStore.Claimed claimed;
      try {
        claimed = store.store().claim(runId);
      } catch (StoreException e) {
        err.println("error: " + e.getMessage());
        return 2;
      }
      StoredRun run = claimed.run();
      store.listenForRun(storeOptions.location(), runId);
      ParsedWorkflow parsed;
      try {
        parsed = ParsedWorkflow.parse(Path.of(run.workflow()), claimed.definition());
      } catch (WorkflowSyntaxException e) {
        err.println(e.render());
        return 2;
      }
      try (Braid braid =
              Braid.start(
                  WorkerFunctionCatalog.configure(paths.config(), parsed.workflow()).build());
          WorkflowEngine engine = new WorkflowEngine(braid).secrets(secrets.sources())) {
        WorkflowLoader.prestart(braid, parsed);
        if (!WorkflowLoader.check(parsed, run.input(), braid, wait, err, secrets.sources())) {
          err.println(
              "error: run "
                  + runId
                  + " cannot be resumed here: its functions are looked up next to "
                  + run.workflow());
          return 2;
        }
        long recorded =
            store.store().steps(runId).stream().filter(s -> s.outcome() != null).count();
        err.println(
            "resuming run "
                + runId
                + " ("
                + recorded
                + " step"
                + (recorded == 1 ? "" : "s")
                + " recorded)");
        err.flush();
        return LiveRun.execute(
            view,
            out,
            err,
            braid,
            engine,
            parsed.workflow(),
            run.input(),
            claimed.journal(),
            store,
            run.cancelRequested());
      }
    }
  }
}
