package dev.braid.gateway.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import dev.braid.gateway.engine.MemoryJournal;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.RunListener;
import dev.braid.gateway.engine.StepFailedException;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import dev.braid.model.CancelReason;
import dev.braid.model.FailureCode;
import dev.braid.model.Failures;
import dev.braid.proto.api.v1.Failure;
import dev.braid.proto.api.v1.RunInfo;
import dev.braid.proto.api.v1.RunState;
import io.grpc.Status;
import java.time.Instant;

/**
 * One run the server started: its id, events, and once finished its outcome. Thread-safe: events
 * arrive on the engine's run thread, cancels from gRPC threads.
 */
public final class RunRecord {
  private final String id;
  private final String workflow;
  private final Instant createdAt;
  private final EventLog log;
  private final ServerLimits limits;
  // guarded by this
  private WorkflowRun run;
  private RunJournal journal;
  private boolean detached;
  private boolean cancelRequested;
  private CancelReason pendingCancel;
  private RunState state = RunState.RUN_STATE_RUNNING;
  private Instant finishedAt;
  private String resultJson;
  private Failure failure;
  private String failedStep;

  /**
   * @param limits bounds the run's result: one that does not fit in a message fails the run (null:
   *     unbounded)
   */
  RunRecord(String id, String workflow, EventLog log, ServerLimits limits) {
    this.id = id;
    this.limits = limits;
    this.workflow = workflow;
    this.createdAt = Instant.now();
    this.log = log;
  }

  public String id() {
    return id;
  }

  public EventLog log() {
    return log;
  }

  /** The listener that feeds the engine's events into this record's log. */
  public RunListener listener() {
    return this::append;
  }

  /**
   * Appends one of the engine's events to this record's log, as clients see it; the outcome event
   * also settles the record. Called on the run's thread.
   */
  void append(RunEvent event) {
    RunEvent e = event;
    if (e.type() == RunEvent.Type.RUN_FINISHED
        && e.status() == RunEvent.Status.CANCELLED
        && shutdownCancel()) {
      // the engine cancels with reason 'cancelled' only; the outcome tells the real one
      e =
          new RunEvent(
              e.type(),
              e.atNanos(),
              e.step(),
              e.kind(),
              e.function(),
              e.language(),
              e.attempt(),
              e.status(),
              dev.braid.model.Failure.cancelled(
                  CancelReason.SHUTDOWN, "the run was cancelled: the server is shutting down"),
              e.retryWait(),
              e.value());
    }
    if (e.type() == RunEvent.Type.RUN_FINISHED
        && e.status() == RunEvent.Status.OK
        && limits != null) {
      e = withinMessageLimit(e);
    }
    if (e.type() == RunEvent.Type.RUN_FINISHED) {
      // before the event is visible: a client that saw the outcome finds GetRun agreeing
      if (e.status() == RunEvent.Status.OK) {
        finish(e.value(), null);
      } else {
        dev.braid.model.Failure f =
            e.failure() != null
                ? e.failure()
                : dev.braid.model.Failure.of(FailureCode.INTERNAL, "RunFailed", "the run failed");
        finish(null, new StepFailedException(f, e.step(), null));
      }
    }
    log.append(ApiProtos.event(e, id));
  }

  /**
   * The outcome event as it is, or, when the result cannot be sent in one message (as the event, in
   * GetRun, in StartWorkflow's watchers), a failed outcome that says so: the result is refused
   * rather than sent to a client that would reject it.
   */
  private RunEvent withinMessageLimit(RunEvent e) {
    return withinMessageLimit(e, limits);
  }

  /** {@link #withinMessageLimit(RunEvent)} for an event read from the store. */
  static RunEvent withinMessageLimit(RunEvent e, ServerLimits limits) {
    if (limits == null
        || e.type() != RunEvent.Type.RUN_FINISHED
        || e.status() != RunEvent.Status.OK) {
      return e;
    }
    String json = ApiProtos.json(e.value());
    if (limits.fits(json)) {
      return e;
    }
    return new RunEvent(
        e.type(),
        e.atNanos(),
        e.step(),
        e.kind(),
        e.function(),
        e.language(),
        e.attempt(),
        RunEvent.Status.FAILED,
        dev.braid.model.Failure.of(
            FailureCode.RESOURCE_EXHAUSTED,
            "ResultTooLarge",
            limits.tooLargeMessage("the run's result", json)),
        e.retryWait(),
        null);
  }

  private synchronized boolean shutdownCancel() {
    return pendingCancel == CancelReason.SHUTDOWN;
  }

  /** Binds the engine's run; a cancel that came first is applied now. */
  public void attach(WorkflowRun r) {
    attach(r, null);
  }

  /**
   * Binds the engine's run and the journal it writes (for signals); a cancel that came first is
   * applied now.
   */
  public void attach(WorkflowRun r, RunJournal j) {
    CancelReason pending;
    synchronized (this) {
      run = r;
      journal = j;
      pending = pendingCancel;
    }
    if (pending != null) {
      r.cancel(pending);
    }
  }

  /** Cancels the run unless it has finished. Returns true if this was the first cancel. */
  public boolean cancel(CancelReason reason) {
    WorkflowRun r;
    synchronized (this) {
      if (state != RunState.RUN_STATE_RUNNING || pendingCancel != null) {
        return false;
      }
      pendingCancel = reason;
      if (reason == CancelReason.CANCELLED) {
        cancelRequested = true;
      }
      r = run;
    }
    if (r != null) {
      r.cancel(reason);
    }
    return true;
  }

  /**
   * The server stops running this run without ending it (shutdown; the run stays unfinished in the
   * store, for the next server): its state stays running, and streams of its events end with {@code
   * status} after the events sent so far.
   */
  void detach(Status status) {
    synchronized (this) {
      detached = true;
    }
    log.abort(status);
  }

  /**
   * Hands a signal to a run whose journal is in memory (no store).
   *
   * @return false if the run has finished or keeps its journal elsewhere
   */
  boolean signalInMemory(String name, JsonNode payload) {
    // IllegalStateException past the memory journal's bound of pending signals
    RunJournal j;
    synchronized (this) {
      if (state != RunState.RUN_STATE_RUNNING) {
        return false;
      }
      j = journal;
    }
    if (j instanceof MemoryJournal m) {
      m.signal(name, payload);
      return true;
    }
    return false;
  }

  /**
   * Ends the log with the run's outcome when the engine's outcome event never reached it: a stored
   * run whose journal refused a write (a budget) is failed by the engine without journaling more,
   * and its watchers must still see the end. No effect once the log has ended.
   */
  void endLog(JsonNode result, Throwable error) {
    synchronized (this) {
      if (detached) {
        return;
      }
    }
    if (log.finished()) {
      return;
    }
    RunEvent e;
    if (error == null) {
      e =
          new RunEvent(
              RunEvent.Type.RUN_FINISHED,
              0,
              null,
              null,
              null,
              null,
              0,
              RunEvent.Status.OK,
              null,
              null,
              result);
    } else {
      Throwable t = Failures.unwrap(error);
      dev.braid.model.Failure f =
          t instanceof StepFailedException sf ? sf.failure() : Failures.fromThrowable(t);
      String step = t instanceof StepFailedException sf ? sf.step() : null;
      e =
          new RunEvent(
              RunEvent.Type.RUN_FINISHED,
              0,
              step,
              null,
              null,
              null,
              0,
              f.code() == FailureCode.CANCELLED
                  ? RunEvent.Status.CANCELLED
                  : RunEvent.Status.FAILED,
              f,
              null,
              null);
    }
    append(e);
  }

  /** Records the outcome: from the outcome event, else when the result future completes. */
  void finish(JsonNode result, Throwable error) {
    synchronized (this) {
      if (finishedAt != null || detached) {
        return;
      }
      finishedAt = Instant.now();
      if (error == null) {
        state = RunState.RUN_STATE_SUCCEEDED;
        resultJson = ApiProtos.json(result);
        return;
      }
      Throwable e = Failures.unwrap(error);
      dev.braid.model.Failure f;
      if (e instanceof StepFailedException sf) {
        f = sf.failure();
        failedStep = sf.step();
      } else {
        f = Failures.fromThrowable(e);
      }
      failure = ApiProtos.failure(f);
      state =
          f.code() == FailureCode.CANCELLED
              ? RunState.RUN_STATE_CANCELLED
              : RunState.RUN_STATE_FAILED;
    }
  }

  public synchronized boolean isFinished() {
    return state != RunState.RUN_STATE_RUNNING;
  }

  synchronized Instant finishedAt() {
    return finishedAt;
  }

  /** A snapshot for GetRun and friends. */
  public RunInfo info() {
    RunInfo.Builder b = RunInfo.newBuilder().setRunId(id).setWorkflow(workflow);
    b.setCreatedAt(timestamp(createdAt)).setNextSeq(log.nextSeq());
    synchronized (this) {
      b.setState(state).setCancelRequested(cancelRequested);
      if (finishedAt != null) {
        b.setFinishedAt(timestamp(finishedAt));
      }
      if (resultJson != null) {
        b.setResultJson(resultJson);
      }
      if (failure != null) {
        b.setFailure(failure);
      }
      if (failedStep != null) {
        b.setFailedStep(failedStep);
      }
    }
    return b.build();
  }

  private static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
