package dev.braid.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.Braid;
import dev.braid.gateway.engine.WorkflowEngine;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.WorkerFunctionCatalog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code braid run FILE}: checks a workflow, then runs it on locally started workers, journaled in
 * the store so that a crash leaves it resumable ({@code braid resume}).
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run a workflow file: its steps call functions in Python, Node and Java workers",
      "started on this machine. The file is checked first (as braid check does);",
      "nothing runs if it has a problem.",
      "Prints the result JSON on stdout, and the run id ('run <id>') and progress on",
      "stderr (a live table on a terminal, plain lines otherwise). The run is kept in",
      "the store: if braid dies, braid resume <id> continues it. Exit 0 ok, 1 failed,",
      "2 invalid (or the store cannot be opened), 130 Ctrl-C."
    },
    footer = {
      "",
      "Examples:",
      "  braid run examples/dashboard/flow.yaml --input '{\"userId\": 7}'",
      "  braid run flow.yaml --input @input.json --json > events.jsonl",
      "  braid run flow.yaml --trace run.trace.json   (open in https://ui.perfetto.dev)",
      "  braid run flow.yaml --store memory           (keep nothing)",
      "",
      "Ctrl-C cancels every running step (the functions see the cancellation); catch",
      "and finally blocks still run within their timeouts. A cancelled run is final.",
      "A crash or kill -9 leaves the run resumable: braid runs --status running lists",
      "such runs. The format: docs/workflows.md; durability: docs/durability.md."
    })
final class RunCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "the workflow file")
  Path file;

  @Option(
      names = "--input",
      paramLabel = "JSON|@FILE",
      description = "the run's input: a JSON object, or @file holding one")
  String input;

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
    JsonNode in = WorkflowLoader.readInput(cl, input);
    if (in == null) {
      in = JSON.createObjectNode();
    }
    Duration wait = WorkflowLoader.duration(cl, catalogTimeout, "--catalog-timeout");
    ParsedWorkflow parsed = WorkflowLoader.parse(file, err);
    if (parsed == null) {
      return 2;
    }
    // opened before any worker starts: a store held by another gateway is refused at once
    StoreHandle store = StoreErrors.open(storeOptions, false, err);
    if (store == null) {
      return 2;
    }
    store.listenForSignals(storeOptions.location());
    try (store;
        Braid braid =
            Braid.start(
                WorkerFunctionCatalog.configure(paths.config(), parsed.workflow()).build());
        WorkflowEngine engine = new WorkflowEngine(braid).secrets(secrets.sources())) {
      WorkflowLoader.prestart(braid, parsed);
      if (!WorkflowLoader.check(parsed, in, braid, wait, err, secrets.sources())) {
        return 2;
      }
      Instant deadline =
          parsed.workflow().timeout().map(t -> Instant.now().plus(t.value())).orElse(null);
      RunStore.Claimed run =
          store
              .store()
              .create(
                  // the absolute path: a resume finds the functions next to the file from anywhere
                  file.toAbsolutePath().normalize().toString(), parsed.text(), in, deadline);
      store.listenForRun(storeOptions.location(), run.run().runId());
      err.println("run " + run.run().runId());
      err.flush();
      return LiveRun.execute(
          view, out, err, braid, engine, parsed.workflow(), in, run.journal(), store, false);
    }
  }
}
