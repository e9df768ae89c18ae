package dev.braid.gateway.server.internal;

import dev.braid.api.Braid;
import dev.braid.gateway.engine.WorkflowEngine;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.secrets.SecretSources;
import dev.braid.gateway.server.ExposurePolicy;
import dev.braid.gateway.server.TokenScope;
import dev.braid.gateway.store.GatewayLease;
import dev.braid.model.Clock;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.CancelRunRequest;
import dev.braid.proto.api.v1.ExecuteScriptRequest;
import dev.braid.proto.api.v1.ExecuteScriptResponse;
import dev.braid.proto.api.v1.GetRunRequest;
import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.InvokeResponse;
import dev.braid.proto.api.v1.InvokeStreamRequest;
import dev.braid.proto.api.v1.InvokeStreamResponse;
import dev.braid.proto.api.v1.ListFunctionsRequest;
import dev.braid.proto.api.v1.ListFunctionsResponse;
import dev.braid.proto.api.v1.ListSchedulesRequest;
import dev.braid.proto.api.v1.ListSchedulesResponse;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunInfo;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import dev.braid.proto.api.v1.SignalRunRequest;
import dev.braid.proto.api.v1.StartWorkflowRequest;
import dev.braid.proto.api.v1.WatchRunRequest;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The {@code braid.api.v1.Braid} service: dispatches each RPC to the part that implements it.
 * Handlers never block the gRPC threads: waiting (for a slot, a worker, a run) is done with
 * futures, and blocking work (reading and checking workflows) runs on the check executor.
 */
public final class ApiService extends BraidGrpc.BraidImplBase {
  private final WorkflowRuns runs;
  private final RunQueries queries;
  private final FunctionCalls calls;
  private final ScriptRuns scripts;
  private final RunResumer resumer;
  private final Parts parts;
  private final Scheduler scheduler;

  /** Everything the service needs; see {@code BraidServer}. */
  public record Parts(
      Braid braid,
      WorkflowEngine engine,
      Path workflowsDir,
      SecretSources secrets,
      Duration catalogTimeout,
      RunRegistry registry,
      Admission runAdmission,
      Admission callAdmission,
      Admission scriptAdmission,
      Sandbox sandbox,
      String sandboxUnavailable,
      InFlight inFlight,
      Executor checkExecutor,
      Executor streamExecutor,
      Clock clock,
      int maxWatchers,
      ExposurePolicy exposure,
      ServerLimits limits,
      Durability durability,
      ScheduledExecutorService timer) {}

  public ApiService(Parts p) {
    this.parts = p;
    Permissions permissions = new Permissions(p.exposure());
    WorkflowResolver resolver =
        new WorkflowResolver(
            p.workflowsDir(),
            new ServerCatalog(p.braid(), p.catalogTimeout()),
            permissions,
            p.secrets());
    this.runs =
        new WorkflowRuns(
            p.engine(),
            resolver,
            p.registry(),
            p.runAdmission(),
            p.inFlight(),
            p.checkExecutor(),
            p.streamExecutor(),
            p.clock(),
            p.limits(),
            p.durability());
    this.scheduler =
        new Scheduler(
            Scheduler.scan(p.workflowsDir()),
            runs,
            p.registry(),
            p.durability() == null ? null : p.durability().store(),
            p.timer(),
            p.checkExecutor(),
            InstantSource.system());
    this.queries =
        new RunQueries(p.registry(), p.streamExecutor(), p.maxWatchers(), p.durability());
    this.resumer =
        p.durability() == null
            ? null
            : new RunResumer(p.engine(), resolver, p.registry(), p.durability(), p.checkExecutor());
    this.calls =
        new FunctionCalls(
            p.braid(),
            p.callAdmission(),
            p.inFlight(),
            p.catalogTimeout(),
            permissions,
            p.limits());
    this.scripts =
        new ScriptRuns(
            p.sandbox(),
            p.sandboxUnavailable(),
            p.scriptAdmission(),
            p.inFlight(),
            p.limits(),
            p.clock());
  }

  /** False, with the RPC ended PERMISSION_DENIED, if the token may not do this. */
  private static boolean permitted(StreamObserver<?> out, Runnable check) {
    try {
      check.run();
      return true;
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return false;
    }
  }

  private static void scope(TokenScope scope, String rpc) {
    Permissions.require(scope, rpc);
  }

  private static void workflowScope(boolean inline) {
    if (inline) {
      Permissions.require(TokenScope.INLINE, "a workflow sent inline (definition)");
    } else {
      Permissions.require(TokenScope.RUN, "a named workflow");
    }
  }

  /** Arms the folder's schedules (after the store's runs were resumed: overlap sees them). */
  public void startSchedules() {
    scheduler.start();
  }

  /** Stops firing schedules: the first thing a shutdown does. */
  public void stopSchedules() {
    scheduler.close();
  }

  /** How many of the folder's workflows have a schedule. */
  public int schedules() {
    return scheduler.size();
  }

  @Override
  public void listSchedules(
      ListSchedulesRequest request, StreamObserver<ListSchedulesResponse> out) {
    if (permitted(out, () -> scope(TokenScope.RUN, "ListSchedules"))) {
      scheduler.list(request, out);
    }
  }

  /** WatchRun streams open now. */
  public int watchers() {
    return queries.watchers();
  }

  /**
   * Resumes the unfinished runs of the store created before {@code before} (none without a store);
   * completes when each has started again or been given up on.
   */
  public CompletableFuture<Void> resumeAll(Instant before) {
    return resumer == null ? CompletableFuture.completedFuture(null) : resumer.resumeAll(before);
  }

  /**
   * Shares the store's work with the other gateways on it (instead of {@link #resumeAll}): starts
   * the lease loop, which takes released runs and resumes them; close it before the store.
   *
   * @param windDown how long this gateway's runs get to wind down if it loses its lease
   */
  public AutoCloseable share(GatewayLease lease, Duration windDown) {
    GatewayMembership m =
        new GatewayMembership(
            lease, resumer, parts.registry(), parts.durability(), parts.checkExecutor(), windDown);
    m.start();
    return m;
  }

  @Override
  public void runWorkflow(RunWorkflowRequest request, StreamObserver<RunEvent> out) {
    if (permitted(out, () -> workflowScope(request.hasDefinition()))) {
      runs.runWorkflow(request, out);
    }
  }

  @Override
  public void startWorkflow(StartWorkflowRequest request, StreamObserver<RunInfo> out) {
    if (permitted(out, () -> workflowScope(request.hasDefinition()))) {
      runs.startWorkflow(request, out);
    }
  }

  @Override
  public void getRun(GetRunRequest request, StreamObserver<RunInfo> out) {
    if (permitted(out, () -> scope(TokenScope.RUN, "GetRun"))) {
      queries.getRun(request, out);
    }
  }

  @Override
  public void cancelRun(CancelRunRequest request, StreamObserver<RunInfo> out) {
    if (permitted(out, () -> scope(TokenScope.RUN, "CancelRun"))) {
      queries.cancelRun(request, out);
    }
  }

  @Override
  public void watchRun(WatchRunRequest request, StreamObserver<RunEvent> out) {
    if (permitted(out, () -> scope(TokenScope.RUN, "WatchRun"))) {
      queries.watchRun(request, out);
    }
  }

  @Override
  public void signalRun(SignalRunRequest request, StreamObserver<RunInfo> out) {
    if (permitted(out, () -> scope(TokenScope.RUN, "SignalRun"))) {
      queries.signalRun(request, out);
    }
  }

  @Override
  public void invoke(InvokeRequest request, StreamObserver<InvokeResponse> out) {
    if (permitted(out, () -> scope(TokenScope.INVOKE, "Invoke"))) {
      calls.invoke(request, out);
    }
  }

  @Override
  public void invokeStream(InvokeStreamRequest request, StreamObserver<InvokeStreamResponse> out) {
    if (permitted(out, () -> scope(TokenScope.INVOKE, "InvokeStream"))) {
      calls.invokeStream(request, out);
    }
  }

  @Override
  public void listFunctions(
      ListFunctionsRequest request, StreamObserver<ListFunctionsResponse> out) {
    if (permitted(out, () -> scope(TokenScope.INVOKE, "ListFunctions"))) {
      calls.listFunctions(request, out);
    }
  }

  @Override
  public void executeScript(
      ExecuteScriptRequest request, StreamObserver<ExecuteScriptResponse> out) {
    if (permitted(out, () -> scope(TokenScope.SCRIPT, "ExecuteScript"))) {
      scripts.execute(request, out);
    }
  }
}
