package dev.braid.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.Braid;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.WorkerFunctionCatalog;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code braid check FILE}: every problem of a workflow file, without running it. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Check a workflow file without running it: keys, durations, expressions,",
      "references between steps, dependency cycles, the functions it calls (looked",
      "up in the real workers' catalogs) and, with --input, the input.",
      "Prints nothing and exits 0 if the file is valid; otherwise prints every",
      "problem on stderr as FILE:LINE:COLUMN: error: MESSAGE and exits 2."
    },
    footer = {
      "",
      "Examples:",
      "  braid check examples/dashboard/flow.yaml",
      "  braid check flow.yaml --input '{\"userId\": 7}'",
      "  braid check flow.yaml --input @input.json --no-workers",
      "",
      "The workflow format: docs/workflows.md."
    })
final class CheckCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "the workflow file (.yaml, .yml, .json)")
  Path file;

  @Option(
      names = "--input",
      paramLabel = "JSON|@FILE",
      description = "the run's input, to check against input: (a JSON object, or @file)")
  String input;

  @Option(
      names = "--no-workers",
      description = "do not start workers: check the file alone, not whether its functions exist")
  boolean noWorkers;

  @Option(
      names = "--catalog-timeout",
      paramLabel = "D",
      description = "how long to wait for a worker's catalog (default 60s)")
  String catalogTimeout = "60s";

  @CommandLine.Mixin WorkerOptions paths = new WorkerOptions();

  @CommandLine.Mixin SecretOptions secrets = new SecretOptions();

  @Override
  public Integer call() {
    CommandLine cl = spec.commandLine();
    PrintWriter err = cl.getErr();
    JsonNode inputJson = WorkflowLoader.readInput(cl, input);
    Duration wait = WorkflowLoader.duration(cl, catalogTimeout, "--catalog-timeout");
    ParsedWorkflow parsed = WorkflowLoader.parse(file, err);
    if (parsed == null) {
      return 2;
    }
    if (noWorkers || parsed.workflow().functions().isEmpty()) {
      return WorkflowLoader.check(parsed, inputJson, null, wait, err, secrets.sources()) ? 0 : 2;
    }
    try (Braid braid =
        Braid.start(WorkerFunctionCatalog.configure(paths.config(), parsed.workflow()).build())) {
      WorkflowLoader.prestart(braid, parsed);
      return WorkflowLoader.check(parsed, inputJson, braid, wait, err, secrets.sources()) ? 0 : 2;
    }
  }
}
