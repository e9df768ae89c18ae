package dev.braid.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.braid.gateway.store.StoreException;
import dev.braid.gateway.store.StoredRun;
import dev.braid.gateway.workflow.Step;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code braid signal RUN_ID NAME [JSON]}: delivers a named signal to a run's signal step. */
@Command(
    name = "signal",
    mixinStandardHelpOptions = true,
    description = {
      "Send a named signal with a JSON payload to a run: a 'signal: NAME' step waiting",
      "in it gets the payload as its result. The signal is written to the store first,",
      "so it is not lost if no braid runs the run just now: the run gets it when it is",
      "resumed (braid resume, or braid serve on start). Each signal is delivered once,",
      "to one signal step."
    },
    footer = {
      "",
      "Examples:",
      "  braid signal 0193a7c2-... approve '{\"ok\": true, \"by\": \"ana\"}'",
      "  braid signal 0193a7c2-... approve @decision.json",
      "  braid signal 0193a7c2-... continue          (payload null)"
    })
final class SignalCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN_ID", description = "the run to signal")
  String runId;

  @Parameters(index = "1", paramLabel = "NAME", description = "the signal's name")
  String name;

  @Parameters(
      index = "2",
      arity = "0..1",
      paramLabel = "JSON|@FILE",
      description = "the payload: a JSON value, or @file holding one (default null)")
  String payload;

  @CommandLine.Mixin StoreOptions storeOptions = new StoreOptions();

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    PrintWriter err = cl.getErr();
    RunIds.check(cl, runId);
    if (!Step.Signal.NAME.matcher(name).matches()) {
      throw new CommandLine.ParameterException(
          cl, "'" + RunViews.cell(name) + "' is not a signal name: " + Step.Signal.NAME_RULE);
    }
    JsonNode value = WorkflowLoader.readJson(cl, payload, "the payload");
    if (value == null) {
      value = NullNode.getInstance();
    }
    // a braid holding the SQLite store, or running the run, takes the signal itself: the one that
    // may write the file, or the one whose live run must be told
    try {
      String refused = SignalSocket.send(socketFor(storeOptions.location()), runId, name, value);
      if (refused != null) {
        err.println("error: " + refused);
        return 2;
      }
      err.println("signal " + name + " sent to run " + runId);
      return 0;
    } catch (IOException noHolder) {
      // nobody listens: write it to the store
    }
    StoreHandle store = openForSignal(err);
    if (store == null) {
      return 2;
    }
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
                + ": a finished run takes no signals");
        return 2;
      }
      try {
        store.store().signal(runId, name, value);
      } catch (StoreException e) {
        err.println("error: " + e.getMessage());
        return 2;
      }
      err.println("signal " + name + " sent to run " + runId);
      err.flush();
      return 0;
    }
  }

  /** The store, opened to write the signal; null after saying why it cannot be. */
  private StoreHandle openForSignal(PrintWriter err) {
    StoreHandle store = StoreErrors.open(storeOptions, false, err, false);
    if (store == null && SignalSocket.pathFor(storeOptions.location()) != null) {
      err.println(
          "hint: the braid holding this store did not take the signal on "
              + SignalSocket.pathFor(storeOptions.location())
              + "; braid serve also takes signals through its SignalRun call");
    }
    return store;
  }

  /** Where the holder listens: next to a SQLite file, else the run's own socket. */
  private Path socketFor(String location) {
    return location.contains("://")
        ? RunSockets.forRun(location, runId)
        : SignalSocket.pathFor(location);
  }
}
