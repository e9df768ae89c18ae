package dev.braid.gateway.server.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.RunListener;
import dev.braid.gateway.engine.StepOutcome;
import dev.braid.gateway.engine.WorkflowEngine;
import dev.braid.gateway.server.ScriptCeilings;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.StoreException;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.Location;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.model.CancelReason;
import dev.braid.model.Clock;
import dev.braid.model.Failures;
import dev.braid.model.Scope;
import dev.braid.proto.api.v1.Code;
import dev.braid.proto.api.v1.EventType;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunInfo;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import dev.braid.proto.api.v1.StartWorkflowRequest;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RPCs that start workflow runs: RunWorkflow and StartWorkflow (the others are in {@link
 * RunQueries}).
 *
 * <p>A run goes through: validation of the request (on the gRPC thread), a run slot ({@link
 * Admission}), parsing and checking (on the check executor, which may block), then the engine. The
 * run's deadline is the earliest of the request's {@code timeout}, the workflow's own and — for
 * RunWorkflow — the client's gRPC deadline; it is enforced by the engine's timer, so a run that
 * outlives its deadline ends {@code DEADLINE_EXCEEDED} and its workers see {@code
 * deadline_exceeded}.
 */
final class WorkflowRuns {
  private static final Logger log = LoggerFactory.getLogger("braid.server");

  private final WorkflowEngine engine;
  private final WorkflowResolver resolver;
  private final RunRegistry registry;
  private final Admission admission;
  private final InFlight inFlight;
  private final Executor checkExecutor;
  private final Executor streamExecutor;
  private final PayloadBudget budget;
  private final Clock clock;
  private final ScriptCeilings scriptCeilings;
  // null: runs are kept in memory only
  private final Durability durability;

  WorkflowRuns(
      WorkflowEngine engine,
      WorkflowResolver resolver,
      RunRegistry registry,
      Admission admission,
      InFlight inFlight,
      Executor checkExecutor,
      Executor streamExecutor,
      Clock clock,
      ServerLimits limits,
      Durability durability) {
    this.durability = durability;
    this.clock = clock;
    this.engine = engine;
    this.budget = limits.budget();
    this.scriptCeilings = limits.scripts();
    this.resolver = resolver;
    this.registry = registry;
    this.admission = admission;
    this.inFlight = inFlight;
    this.checkExecutor = checkExecutor;
    this.streamExecutor = streamExecutor;
  }

  /** What a run request asks for, validated. */
  private record Spec(
      String name, String definition, ObjectNode input, Duration timeout, int requestBytes) {}

  private static Spec spec(
      boolean byName,
      String name,
      boolean inline,
      String definition,
      String inputJson,
      boolean hasTimeout,
      com.google.protobuf.Duration timeout,
      int requestBytes) {
    if (!byName && !inline) {
      throw Requests.invalid(
          "no workflow: set 'name' (a workflow of the server's folder) or 'definition' (YAML text)");
    }
    if (byName && name.isBlank()) {
      throw Requests.invalid("'name' is empty: give a workflow name, e.g. 'dashboard'");
    }
    if (inline && definition.isBlank()) {
      throw Requests.invalid("'definition' is empty: give the workflow's YAML text");
    }
    return new Spec(
        byName ? name : null,
        inline ? definition : null,
        Requests.input("input_json", inputJson),
        Requests.duration("timeout", hasTimeout, timeout),
        requestBytes);
  }

  /** The slot of a schedule a run is started for, and the run id derived from it. */
  private record Slot(String runId, Instant at) {}

  /**
   * Starts the run of the folder's workflow {@code name} for its schedule's slot {@code at} under
   * the run id {@code runId}, as StartWorkflow does (admission, checks, secrets, the store). With a
   * store the slot is taken in the run's own transaction: the future fails {@code ALREADY_EXISTS}
   * when that slot was fired already (before a restart, or by another server).
   */
  CompletableFuture<RunRecord> startScheduled(
      String name, ObjectNode input, String runId, Instant at) {
    Pending p = new Pending();
    p.slot = new Slot(runId, at);
    return start(new Spec(name, null, input, null, 0), null, false, p);
  }

  /** Cancellation state shared by a request's handlers, before and after its run exists. */
  private static final class Pending {
    private final Requests.ClientEnd end = Requests.ClientEnd.current();
    private volatile boolean cancelled;
    private volatile CompletableFuture<?> acquiring;
    private volatile Scope request;
    // RunWorkflow's observer, for the deadline's answer
    private volatile ServerCallStreamObserver<?> out;
    // the run's timeout is the client's deadline (a little earlier)
    private volatile boolean clientsDeadline;
    private volatile RunRecord record;
    private volatile EventStreamer streamer;
    // a run its schedule starts: the slot's run id and instant; null for a client's run
    private volatile Slot slot;
    // who writes to the RPC's observer: nobody yet, the event streamer, or the deadline's answer
    private final AtomicInteger writer = new AtomicInteger(OPEN);
    private static final int OPEN = 0;
    private static final int STREAMING = 1;
    private static final int ANSWERED = 2;

    /** Hands the observer to {@code s} (set as {@link #streamer} first); false if answered. */
    boolean stream() {
      return writer.compareAndSet(OPEN, STREAMING);
    }

    /** Takes the observer to end the RPC with an error; false if it is taken already. */
    boolean answer() {
      return writer.compareAndSet(OPEN, ANSWERED);
    }

    /** The request's own deadline fired: answer DEADLINE_EXCEEDED, whoever has the observer. */
    void deadlineFired() {
      Status s =
          Status.DEADLINE_EXCEEDED.withDescription(
              "the client's deadline passed"
                  + (record == null ? " before the run started" : ": run " + record.id())
                  + " (cancelled with deadline_exceeded)");
      if (answer()) {
        if (!out.isCancelled()) {
          out.onError(s.asRuntimeException());
        }
      } else if (writer.get() == STREAMING) {
        streamer.failWith(s);
      }
    }

    /** True when the client's deadline (not the client) ended the RPC. */
    boolean deadlineExpired() {
      return end.deadlineReached();
    }
  }

  // ---- RunWorkflow

  void runWorkflow(RunWorkflowRequest req, StreamObserver<RunEvent> observer) {
    ServerCallStreamObserver<RunEvent> out = (ServerCallStreamObserver<RunEvent>) observer;
    Pending p = new Pending();
    Deadline clientDeadline = Requests.clientDeadline();
    out.setOnReadyHandler(
        () -> {
          EventStreamer s = p.streamer;
          if (s != null) {
            s.signal();
          }
        });
    out.setOnCancelHandler(() -> onRunStreamCancelled(p));
    Spec spec;
    try {
      spec =
          spec(
              req.hasName(),
              req.getName(),
              req.hasDefinition(),
              req.getDefinition(),
              req.getInputJson(),
              req.hasTimeout(),
              req.getTimeout(),
              req.getSerializedSize());
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    // The RPC's deadline owner, from the start (a run may wait for a slot, or for its check):
    // a scope on the client's deadline made a little earlier (Requests.ownDeadline). When it
    // fires, the client is answered DEADLINE_EXCEEDED before grpc's own timer for the same
    // deadline resets the stream, which clients would report as CANCELLED.
    Scope request;
    try {
      Duration own = Requests.ownDeadline(null, clientDeadline).left();
      request = RequestScopes.after(own, clock);
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    request.onCancel(
        why -> {
          if (request.expiredBy() == request) {
            p.deadlineFired();
          }
        });
    p.request = request;
    p.out = out;
    start(spec, clientDeadline, true, p)
        .whenComplete(
            (rec, err) -> {
              if (err != null) {
                request.close();
                if (p.answer()) {
                  fail(out, err);
                }
                return;
              }
              // a stored run's old events are read from the store: on its threads, which may block
              EventStreamer s =
                  durability == null
                      ? new EventStreamer(rec.log(), 0, out, streamExecutor, request::close)
                      : new EventStreamer(
                          durability.events(rec), 0, out, durability.io(), request::close);
              s.endWith(e -> clientDeadlineOutcome(p, e));
              p.streamer = s;
              if (!p.stream()) {
                // answered already: the deadline passed while the run was starting
                request.close();
                return;
              }
              s.start();
              if (p.cancelled) {
                // the client left while the run was starting
                onRunStreamCancelled(p);
              }
            });
  }

  private void onRunStreamCancelled(Pending p) {
    p.cancelled = true;
    Scope request = p.request;
    if (request != null) {
      request.close();
    }
    CompletableFuture<?> a = p.acquiring;
    if (a != null) {
      a.cancel(false);
    }
    RunRecord r = p.record;
    if (r != null) {
      // A client whose deadline ended the RPC leaves the run to its own deadline, which is no
      // later than the client's (the run's root scope owns it): cancelling here would tell the
      // workers 'cancelled' instead of 'deadline_exceeded'.
      if (!p.deadlineExpired()) {
        r.cancel(CancelReason.CANCELLED);
      }
    }
    EventStreamer s = p.streamer;
    if (s != null) {
      s.stop();
    }
  }

  // ---- StartWorkflow

  void startWorkflow(StartWorkflowRequest req, StreamObserver<RunInfo> observer) {
    ServerCallStreamObserver<RunInfo> out = (ServerCallStreamObserver<RunInfo>) observer;
    Pending p = new Pending();
    Deadline clientDeadline = Requests.clientDeadline();
    out.setOnCancelHandler(
        () -> {
          p.cancelled = true;
          CompletableFuture<?> a = p.acquiring;
          if (a != null) {
            a.cancel(false);
          }
        });
    Spec spec;
    try {
      spec =
          spec(
              req.hasName(),
              req.getName(),
              req.hasDefinition(),
              req.getDefinition(),
              req.getInputJson(),
              req.hasTimeout(),
              req.getTimeout(),
              req.getSerializedSize());
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    start(spec, clientDeadline, false, p)
        .whenComplete(
            (rec, err) -> {
              if (err != null) {
                fail(out, err);
                return;
              }
              // the run is detached from this RPC: a client that left now does not cancel it
              if (!out.isCancelled()) {
                out.onNext(rec.info());
                out.onCompleted();
              }
            });
  }

  /**
   * Admits, checks and starts a run. The future fails with a {@link StatusRuntimeException}.
   *
   * @param clientDeadline bounds the wait for a slot, and with {@code bound} the run itself
   * @param bound whether the run lives and dies with the RPC (RunWorkflow)
   */
  private CompletableFuture<RunRecord> start(
      Spec spec, Deadline clientDeadline, boolean bound, Pending p) {
    // the request (its definition and input) is held until the run ends
    PayloadBudget.Hold hold;
    try {
      hold = budget.reserve(spec.requestBytes(), "run");
    } catch (StatusRuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Admission.Permit> acquiring = admission.acquire(clientDeadline);
    p.acquiring = acquiring;
    if (p.cancelled) {
      acquiring.cancel(false);
    }
    CompletableFuture<RunRecord> started =
        acquiring.thenApplyAsync(
            permit -> {
              try {
                return startAdmitted(spec, clientDeadline, bound, p, permit, hold);
              } catch (RuntimeException e) {
                permit.release();
                throw e;
              }
            },
            checkExecutor);
    started.whenComplete(
        (rec, err) -> {
          if (err != null) {
            hold.close();
          }
        });
    return started;
  }

  private RunRecord startAdmitted(
      Spec spec,
      Deadline clientDeadline,
      boolean bound,
      Pending p,
      Admission.Permit permit,
      PayloadBudget.Hold hold) {
    if (p.cancelled) {
      throw Status.CANCELLED.withDescription("the client cancelled").asRuntimeException();
    }
    WorkflowResolver.Resolved r = resolver.resolve(spec.name(), spec.definition(), spec.input());
    ScriptStepCeilings.check(r.workflow(), scriptCeilings);
    Requests.Budget budget = Requests.ownDeadline(spec.timeout(), bound ? clientDeadline : null);
    Workflow wf = withDeadline(r.workflow(), budget.left());
    p.clientsDeadline = bound && budget.byClient() && wf != r.workflow();

    if (durability != null) {
      return startStored(r, wf, spec, budget.left(), p, permit, hold);
    }
    RunRecord rec =
        p.slot == null ? registry.create(r.name()) : registry.create(p.slot.runId(), r.name());
    InFlight.Entry entry = inFlight.add(rec::cancel);
    WorkflowEngine.WorkflowRun run;
    RunJournal journal = RunJournal.memory(rec.id());
    try {
      run = engine.start(wf, spec.input(), rec.listener(), journal);
    } catch (RuntimeException e) {
      entry.close();
      rec.finish(null, e);
      registry.finished(rec);
      throw couldNotStart(e);
    }
    p.record = rec;
    rec.attach(run, journal);

    log.debug("run {} of {} started", rec.id(), r.name());
    run.result()
        .whenComplete(
            (v, e) -> {
              rec.finish(v, e);
              registry.finished(rec);
              permit.release();
              hold.close();
              entry.close();
            });
    return rec;
  }

  /**
   * Starts a run kept in the store: saved (definition, input, deadline) before it starts, run with
   * the store's journal, and not counted as in-flight work: shutdown leaves it to resume ({@link
   * Durability#detachAll}) instead of draining it.
   */
  private RunRecord startStored(
      WorkflowResolver.Resolved r,
      Workflow wf,
      Spec spec,
      Duration left,
      Pending p,
      Admission.Permit permit,
      PayloadBudget.Hold hold) {
    Instant deadline = left == null ? null : Instant.now().plus(left);
    RunStore.Claimed claimed;
    try {
      Slot slot = p.slot;
      if (slot == null) {
        claimed = durability.store().create(r.name(), r.text(), spec.input(), deadline);
      } else {
        claimed =
            durability
                .store()
                .createScheduled(
                    slot.runId(), r.name(), r.text(), spec.input(), deadline, slot.at())
                .orElseThrow(
                    () ->
                        Status.ALREADY_EXISTS
                            .withDescription(
                                "the slot " + slot.at() + " of " + r.name() + " fired already")
                            .asRuntimeException());
      }
    } catch (StoreException e) {
      log.warn("a run could not be stored: {}", e.getMessage());
      throw Status.UNAVAILABLE
          .withDescription("the run could not be stored: " + e.getMessage())
          .asRuntimeException();
    }
    RunRecord rec = registry.create(claimed.run().runId(), r.name());
    ServerJournal journal = durability.journal(rec, claimed.journal());
    WorkflowEngine.WorkflowRun run;
    try {
      run = engine.start(wf, spec.input(), RunListener.NONE, journal);
    } catch (RuntimeException e) {
      // ended in the store too, or the next server would try to resume it
      claimed.journal().finished(StepOutcome.failed(Failures.fromThrowable(e)), false);
      rec.finish(null, e);
      registry.finished(rec);
      throw couldNotStart(e);
    }
    p.record = rec;
    rec.attach(run, journal);
    durability.started(rec, journal, run);
    log.debug("run {} of {} started (stored)", rec.id(), r.name());
    run.result()
        .whenComplete(
            (v, e) -> {
              rec.endLog(v, e);
              rec.finish(v, e);
              registry.finished(rec);
              permit.release();
              hold.close();
            });
    return rec;
  }

  private static StatusRuntimeException couldNotStart(RuntimeException e) {
    return Status.INTERNAL
        .withDescription("the run could not start: " + Failures.fromThrowable(e).headline())
        .withCause(e)
        .asRuntimeException();
  }

  /** {@code wf} with its run timeout lowered to {@code left} (null: unchanged). */
  static Workflow withDeadline(Workflow wf, Duration left) {
    if (left == null) {
      return wf;
    }
    Optional<Located<Duration>> own = wf.timeout();
    if (own.isPresent() && own.get().value().compareTo(left) <= 0) {
      return wf;
    }
    Location at = own.map(Located::at).orElse(wf.at());
    // whole milliseconds, rounded up: the run's failure message prints the value
    Duration ms = Duration.ofMillis(Math.max(1, (left.toNanos() + 999_999) / 1_000_000));
    return wf.withTimeout(Optional.of(new Located<>(ms, at)));
  }

  /**
   * DEADLINE_EXCEEDED for the outcome event of a run whose own timeout — the client's deadline, as
   * RunWorkflow set it — ended it; else null (the stream completes, the event tells the rest). The
   * run's and the request's timers are a hair apart, and the outcome event may come first.
   */
  private static Status clientDeadlineOutcome(Pending p, RunEvent e) {
    boolean runTimedOut =
        e.getType() == EventType.EVENT_TYPE_RUN_FINISHED
            && e.getStep().isEmpty()
            && e.hasError()
            && e.getError().getCode() == Code.DEADLINE_EXCEEDED;
    return p.clientsDeadline && runTimedOut
        ? Status.DEADLINE_EXCEEDED.withDescription(
            "the client's deadline passed: "
                + e.getError().getMessage()
                + " (run "
                + e.getRunId()
                + ")")
        : null;
  }

  private static void fail(ServerCallStreamObserver<?> out, Throwable err) {
    if (out.isCancelled()) {
      return;
    }
    Throwable e = Failures.unwrap(err);
    if (e instanceof StatusRuntimeException sre) {
      out.onError(sre);
    } else if (e instanceof CancellationException) {
      out.onError(Status.CANCELLED.withDescription("cancelled").asRuntimeException());
    } else {
      log.warn("a run failed to start", e);
      out.onError(
          Status.INTERNAL
              .withDescription(Failures.fromThrowable(e).headline())
              .asRuntimeException());
    }
  }
}
