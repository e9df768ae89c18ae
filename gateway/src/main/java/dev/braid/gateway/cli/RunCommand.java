package dev.braid.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.Braid;
import dev.braid.gateway.engine.RunListener;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.engine.WorkflowEngine;
import dev.braid.gateway.report.ChromeTraceWriter;
import dev.braid.gateway.report.JsonEventWriter;
import dev.braid.gateway.report.ProgressView;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.WorkerFunctionCatalog;
import dev.braid.model.Failure;
import dev.braid.model.Failures;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code braid run FILE}: checks a workflow, then runs it on locally started workers. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run a workflow file: its steps call functions in Python, Node and Java workers",
      "started on this machine. The file is checked first (as braid check does);",
      "nothing runs if it has a problem.",
      "Prints the result JSON on stdout and progress on stderr (a live table on a",
      "terminal, plain lines otherwise). Exit 0 ok, 1 failed, 2 invalid, 130 Ctrl-C."
    },
    footer = {
      "",
      "Examples:",
      "  braid run examples/dashboard/flow.yaml --input '{\"userId\": 7}'",
      "  braid run flow.yaml --input @input.json --json > events.jsonl",
      "  braid run flow.yaml --trace run.trace.json   (open in https://ui.perfetto.dev)",
      "",
      "Ctrl-C cancels every running step (the functions see the cancellation); catch",
      "and finally blocks still run within their timeouts. The format: docs/workflows.md."
    })
final class RunCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long Ctrl-C waits for the run to wind down: shielded handlers default to 30s. */
  private static final Duration INTERRUPT_WAIT = Duration.ofSeconds(35);

  enum Progress {
    auto,
    live,
    plain,
    none
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "the workflow file")
  Path file;

  @Option(
      names = "--input",
      paramLabel = "JSON|@FILE",
      description = "the run's input: a JSON object, or @file holding one")
  String input;

  @Option(
      names = "--json",
      description = "print one JSON event per line on stdout; the last line is the outcome")
  boolean json;

  @Option(
      names = "--trace",
      paramLabel = "OUT",
      description = "write a Chrome trace-event file of the run (open it in Perfetto)")
  Path trace;

  @Option(
      names = "--progress",
      paramLabel = "MODE",
      description =
          "progress on stderr: auto (live on a terminal, else plain), live, plain, none"
              + " (default: ${DEFAULT-VALUE})")
  Progress progress = Progress.auto;

  @Option(
      names = "--catalog-timeout",
      paramLabel = "D",
      description = "how long to wait for a worker's catalog while checking (default 60s)")
  String catalogTimeout = "60s";

  @CommandLine.Mixin WorkerOptions paths = new WorkerOptions();

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
    try (Braid braid =
            Braid.start(
                WorkerFunctionCatalog.configure(paths.config(), parsed.workflow()).build());
        WorkflowEngine engine = new WorkflowEngine(braid)) {
      WorkflowLoader.prestart(braid, parsed);
      if (!WorkflowLoader.check(parsed, in, braid, wait, err)) {
        return 2;
      }
      ProgressView view = progress == Progress.none ? null : ProgressView.create(err, live());
      ChromeTraceWriter traceWriter = trace == null ? null : new ChromeTraceWriter(trace);
      RunListener listener = view == null ? RunListener.NONE : view;
      if (json) {
        listener = listener.andThen(new JsonEventWriter(out));
      }
      if (traceWriter != null) {
        listener = listener.andThen(traceWriter);
      }
      WorkflowEngine.WorkflowRun run = engine.start(parsed.workflow(), in, listener);
      Interrupt interrupt = new Interrupt(run, braid);
      Runtime.getRuntime().addShutdownHook(interrupt);
      try {
        return finish(run, out, err, interrupt, view);
      } finally {
        interrupt.disarm();
        if (view != null) {
          view.close();
        }
        if (traceWriter != null) {
          traceWriter.close();
          err.println("trace written to " + trace + " (open it in https://ui.perfetto.dev)");
        }
        err.flush();
      }
    }
  }

  private int finish(
      WorkflowEngine.WorkflowRun run,
      PrintWriter out,
      PrintWriter err,
      Interrupt interrupt,
      ProgressView view) {
    try {
      JsonNode result = awaitThenCloseView(run, view);
      if (!json) {
        out.println(render(result));
      }
      out.flush();
      return 0;
    } catch (ExecutionException e) {
      out.flush();
      Throwable cause = e.getCause();
      if (interrupt.fired) {
        err.println("interrupted: the run was cancelled");
        return 130;
      }
      if (cause instanceof StepFailedException f) {
        err.println("error: " + f.describe());
        Failure detail = f.failure();
        if (!detail.stack().isEmpty() || detail.cause() != null) {
          err.println(indent(detail.render()));
        }
      } else {
        err.println("error: " + Failures.fromThrowable(cause).render());
      }
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      run.cancel();
      return 130;
    }
  }

  /** The run's result; the progress view is closed first so its last frame is not redrawn over. */
  private static JsonNode awaitThenCloseView(WorkflowEngine.WorkflowRun run, ProgressView view)
      throws ExecutionException, InterruptedException {
    try {
      return run.result().get();
    } finally {
      if (view != null) {
        view.close();
      }
    }
  }

  private boolean live() {
    return switch (progress) {
      case live -> true;
      case plain, none -> false;
      case auto -> System.console() != null && !"dumb".equals(System.getenv("TERM"));
    };
  }

  private static String indent(String text) {
    return "  " + text.replace("\n", "\n  ");
  }

  private static String render(JsonNode v) {
    try {
      return System.console() != null
          ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(v)
          : JSON.writeValueAsString(v);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Ctrl-C: cancel the run (every running call's worker observes it), let it wind down — catch and
   * finally blocks run shielded — then stop the workers. The JVM then exits with 130.
   */
  private static final class Interrupt extends Thread {
    private final WorkflowEngine.WorkflowRun run;
    private final Braid braid;
    private volatile boolean armed = true;
    volatile boolean fired;

    Interrupt(WorkflowEngine.WorkflowRun run, Braid braid) {
      super("braid-interrupt");
      this.run = run;
      this.braid = braid;
    }

    void disarm() {
      armed = false;
      try {
        Runtime.getRuntime().removeShutdownHook(this);
      } catch (IllegalStateException alreadyShuttingDown) {
        // the hook is running or has run
      }
    }

    @Override
    public void run() {
      if (!armed) {
        return;
      }
      fired = true;
      run.cancel();
      try {
        run.result().get(INTERRUPT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // cancelled as asked, or still winding down: the workers are stopped below either way
      }
      braid.close();
    }
  }
}
