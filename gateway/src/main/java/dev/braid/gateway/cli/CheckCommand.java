package dev.braid.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.Braid;
import dev.braid.gateway.workflow.Diagnostic;
import dev.braid.gateway.workflow.FunctionCatalog;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.WorkerFunctionCatalog;
import dev.braid.gateway.workflow.WorkflowChecker;
import dev.braid.gateway.workflow.WorkflowSyntaxException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
      "  braid check examples/dashboard.yaml",
      "  braid check flow.yaml --input '{\"userId\": 7}'",
      "  braid check flow.yaml --input @input.json --no-workers",
      "",
      "The workflow format: docs/workflows.md."
    })
final class CheckCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

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

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    JsonNode inputJson = input == null ? null : readInput(input);
    Duration wait;
    try {
      wait = dev.braid.model.Durations.parse(catalogTimeout);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--catalog-timeout: " + e.getMessage());
    }
    ParsedWorkflow parsed;
    try {
      parsed = ParsedWorkflow.read(file);
    } catch (WorkflowSyntaxException e) {
      err.println(e.render());
      err.flush();
      return 2;
    }
    List<Diagnostic> problems;
    if (noWorkers || parsed.workflow().functions().isEmpty()) {
      problems = new WorkflowChecker(FunctionCatalog.acceptingAll()).check(parsed, inputJson);
    } else {
      try (Braid braid =
          Braid.start(WorkerFunctionCatalog.configure(paths.config(), parsed.workflow()).build())) {
        problems =
            new WorkflowChecker(new WorkerFunctionCatalog(braid, wait)).check(parsed, inputJson);
      }
    }
    for (Diagnostic d : problems) {
      err.println(d.render());
    }
    err.flush();
    return problems.isEmpty() ? 0 : 2;
  }

  private JsonNode readInput(String text) {
    String json = text;
    String what = "--input";
    if (text.startsWith("@")) {
      Path p = Path.of(text.substring(1));
      what = "--input file " + p;
      try {
        json = Files.readString(p);
      } catch (IOException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "cannot read --input file " + p + ": " + e.getMessage());
      }
    }
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          what
              + " is not valid JSON ("
              + e.getOriginalMessage()
              + "); write an object, e.g. '{\"userId\": 7}'");
    }
  }
}
