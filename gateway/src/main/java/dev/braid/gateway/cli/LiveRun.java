package dev.braid.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.Braid;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.RunListener;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.engine.WorkflowEngine;
import dev.braid.gateway.report.ChromeTraceWriter;
import dev.braid.gateway.report.JsonEventWriter;
import dev.braid.gateway.report.ProgressView;
import dev.braid.gateway.workflow.Step;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.model.Failure;
import dev.braid.model.Failures;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One run driven to its end in the foreground, with its views: what {@code braid run} and {@code
 * braid resume} share. The result goes to stdout, progress and errors to stderr; exit 0 ok, 1
 * failed, 130 Ctrl-C.
 */
final class LiveRun {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long Ctrl-C waits for the run to wind down: shielded handlers default to 30s. */
  private static final Duration INTERRUPT_WAIT = Duration.ofSeconds(35);

  private LiveRun() {}

  /**
   * Runs {@code wf} on {@code input} with {@code journal} (an empty one for a new run, a claimed
   * one to resume) until it ends, and returns the exit code. Ctrl-C cancels the run — final,
   * recorded as cancelled — and closes {@code store} once that is durable, before the JVM halts.
   *
   * @param cancelAtOnce cancel the run as soon as it starts (a cancel requested while it was down)
   */
  static int execute(
      ViewOptions options,
      PrintWriter out,
      PrintWriter err,
      Braid braid,
      WorkflowEngine engine,
      Workflow wf,
      JsonNode input,
      RunJournal journal,
      StoreHandle store,
      boolean cancelAtOnce)
      throws IOException {
    ProgressView view =
        options.progress == ViewOptions.Progress.none
            ? null
            : ProgressView.create(err, options.live(), descriptions(wf));
    ChromeTraceWriter traceWriter =
        options.trace == null ? null : new ChromeTraceWriter(options.trace);
    RunListener listener = view == null ? RunListener.NONE : view;
    if (options.json) {
      listener =
          listener.andThen(new JsonEventWriter(out, journal.runId(), java.time.Clock.systemUTC()));
    }
    if (traceWriter != null) {
      listener = listener.andThen(traceWriter);
    }
    WorkflowEngine.WorkflowRun run = engine.start(wf, input, listener, journal);
    Interrupt interrupt = new Interrupt(run, braid, store);
    Runtime.getRuntime().addShutdownHook(interrupt);
    if (cancelAtOnce) {
      // a cancel was asked for while no gateway ran it: honoured now, recorded as final
      err.println("run " + journal.runId() + " had a cancel requested: cancelling it");
      run.cancel();
    }
    try {
      return finish(options, run, journal.runId(), out, err, interrupt, view);
    } finally {
      interrupt.disarm();
      if (view != null) {
        view.close();
      }
      if (traceWriter != null) {
        traceWriter.close();
        err.println("trace written to " + options.trace + " (open it in https://ui.perfetto.dev)");
      }
      err.flush();
    }
  }

  /** Each step's {@code description:}, by its id in the model. */
  private static Map<String, String> descriptions(Workflow wf) {
    Map<String, String> out = new HashMap<>();
    for (Step s : wf.allSteps()) {
      s.description().ifPresent(d -> out.put(s.id(), d.value()));
    }
    return out;
  }

  private static int finish(
      ViewOptions options,
      WorkflowEngine.WorkflowRun run,
      String runId,
      PrintWriter out,
      PrintWriter err,
      Interrupt interrupt,
      ProgressView view) {
    try {
      JsonNode result = awaitThenCloseView(run, view);
      if (!options.json) {
        out.println(render(result));
      }
      out.flush();
      return 0;
    } catch (ExecutionException e) {
      out.flush();
      Throwable cause = e.getCause();
      if (interrupt.fired) {
        err.println("interrupted: run " + runId + " was cancelled (a cancelled run is final)");
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
   * finally blocks run shielded — then make the cancellation durable and stop the workers. The JVM
   * then exits with 130. A kill -9 runs none of this: the run stays resumable.
   */
  private static final class Interrupt extends Thread {
    private final WorkflowEngine.WorkflowRun run;
    private final Braid braid;
    private final StoreHandle store;
    private volatile boolean armed = true;
    volatile boolean fired;

    Interrupt(WorkflowEngine.WorkflowRun run, Braid braid, StoreHandle store) {
      super("braid-interrupt");
      this.run = run;
      this.braid = braid;
      this.store = store;
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
      // the engine recorded the run as cancelled before its result completed; closing the store
      // waits for that write to be durable (the command's own close may never run: the JVM halts)
      store.close();
      braid.close();
    }
  }
}
