package dev.braid.internal.call;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.CallOptions;
import dev.braid.api.CancellationMode;
import dev.braid.api.Cleanup;
import dev.braid.internal.hub.CallListener;
import dev.braid.internal.json.JsonRule;
import dev.braid.internal.worker.PoolClient;
import dev.braid.internal.worker.SlotProvider;
import dev.braid.internal.worker.WorkerSlot;
import dev.braid.model.CancelReason;
import dev.braid.model.Clock;
import dev.braid.model.Deadline;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Failures;
import dev.braid.model.Scope;
import dev.braid.proto.worker.v1.Cancel;
import dev.braid.proto.worker.v1.GatewayFrame;
import dev.braid.proto.worker.v1.Heartbeat;
import dev.braid.proto.worker.v1.Invoke;
import dev.braid.proto.worker.v1.Outcome;
import dev.braid.proto.worker.v1.StreamCredit;
import dev.braid.proto.worker.v1.StreamItem;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call to a worker function, from queueing to its single outcome (DESIGN §2, §3). The gateway
 * enforces every deadline, whatever the worker does, through scopes that own them:
 *
 * <ul>
 *   <li>the call's scope (a child of the caller's, with the total deadline) and, once on a worker,
 *       the attempt's scope (a child of the call's, with the attempt's {@code timeout}) are
 *       cancelled with {@code deadline_exceeded} by their own timers; the call is cancelled with
 *       {@code heartbeat} when heartbeats stop;
 *   <li>the worker gets the attempt scope's remaining time ({@code remaining_ms});
 *   <li>a cancelled call that is still queued settles at once, nothing is sent;
 *   <li>a cancelled call on a worker gets a {@code Cancel} frame (unless mode {@code abandon}),
 *       settles now ({@code try}) or when the worker settles ({@code wait}), and is abandoned when
 *       the grace period passes first.
 * </ul>
 *
 * Thread-safe: transitions happen under {@code this}; the result future is completed outside.
 */
public final class CallExecution implements PoolClient, CallListener, CallHandle {
  private static final Logger log = LoggerFactory.getLogger(CallExecution.class);

  private enum State {
    QUEUED,
    RUNNING,
    /** Cancel sent (or abandoned), waiting for the worker's outcome or the grace period. */
    CANCELLING,
    /** Grace ran out: the worker still runs it; its slot is held until the outcome. */
    ABANDONED,
    DONE
  }

  private final String language;
  private final int maxPayloadBytes;
  private final String function;
  private final byte[] args;
  private final byte[] kwargs;
  private final CallOptions options;
  private final Duration grace;
  private final SlotProvider pool;
  private final Clock clock;
  private final ObjectMapper json;
  private final StreamSink sink;
  private final Scope scope;
  private final CompletableFuture<JsonNode> result;
  private final CompletableFuture<Cleanup> cleanup = new CompletableFuture<>();

  // guarded by this
  private State state = State.QUEUED;
  private WorkerSlot slot;
  private long callId;
  private CancelReason cancelReason;
  private long pendingCredit;
  // the call's scope, or a child with the attempt's own timeout once on a worker
  private Scope attemptScope;
  private Clock.Timer queueTimer;
  private Clock.Timer graceTimer;
  private Clock.Timer heartbeatTimer;
  private volatile JsonNode lastHeartbeat;
  // which try of a retried call this is, sent on the Invoke frame; set before start()
  private int attemptNumber = 1;

  /**
   * @param sink null for a unary call; for a streaming call, receives the items
   * @param result the future to settle; its dependents run on whichever thread settles it
   */
  public CallExecution(
      CallRuntime runtime,
      String function,
      byte[] args,
      byte[] kwargs,
      CallOptions options,
      StreamSink sink,
      CompletableFuture<JsonNode> result) {
    this.language = runtime.language();
    this.maxPayloadBytes = runtime.maxPayloadBytes();
    this.function = function;
    this.args = args;
    this.kwargs = kwargs;
    this.options = options;
    this.grace = options.grace() != null ? options.grace() : runtime.defaultGrace();
    this.pool = runtime.pool();
    this.clock = runtime.clock();
    this.json = runtime.json();
    this.sink = sink;
    this.result = result;
    Deadline total =
        options.totalTimeout() == null ? null : Deadline.after(options.totalTimeout(), clock);
    this.scope = options.parent() == null ? Scope.root(total) : options.parent().child(total);
    this.attemptScope = scope;
  }

  @Override
  public Scope scope() {
    return scope;
  }

  public CompletableFuture<Cleanup> cleanup() {
    return cleanup;
  }

  public JsonNode lastHeartbeat() {
    return lastHeartbeat;
  }

  /**
   * Marks this execution as try {@code n} (from 1) of a retried call; call before {@link #start}.
   */
  public CallExecution attempt(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("attempt < 1: " + n);
    }
    this.attemptNumber = n;
    return this;
  }

  /** Starts the call: queues for a worker slot (the scope already owns the deadline). Call once. */
  public void start() {
    if (args.length + kwargs.length > maxPayloadBytes) {
      settle(
          JsonRule.tooLarge("arguments", ref(), args.length + kwargs.length, maxPayloadBytes),
          Cleanup.NOT_STARTED);
      closeScope();
      return;
    }
    synchronized (this) {
      if (options.queueTimeout() != null) {
        queueTimer = schedule(options.queueTimeout(), this::onQueueTimeout);
      }
    }
    scope.onCancel(this::onScopeCancelled);
    if (!scope.isCancelled()) {
      pool.acquire(this);
    }
  }

  /** For streaming calls: the consumer wants {@code n} more items. */
  public void request(long n) {
    WorkerSlot s;
    long id;
    synchronized (this) {
      if (state != State.RUNNING) {
        pendingCredit += n;
        return;
      }
      s = slot;
      id = callId;
    }
    s.connection()
        .send(
            GatewayFrame.newBuilder()
                .setCredit(
                    StreamCredit.newBuilder()
                        .setCallId(id)
                        .setCredit((int) Math.min(n, Integer.MAX_VALUE)))
                .build());
  }

  /** Cancels the call with {@code reason} (sticky: the first reason wins). */
  public boolean cancel(CancelReason reason) {
    return scope.cancel(reason);
  }

  @Override
  public void dispatch(WorkerSlot s) {
    synchronized (this) {
      if (state != State.QUEUED) {
        // cancelled while the slot was being handed over
        s.release();
        return;
      }
      cancel(queueTimer);
      // a call without its own timeout runs in the call's scope: no scope, no timer more
      Scope a =
          options.timeout() == null ? scope : scope.child(Deadline.after(options.timeout(), clock));
      Deadline attempt = a.deadline();
      long remainingMs = attempt == null ? 0 : attempt.remainingMillisForWire();
      if (attempt != null && remainingMs == 0) {
        if (a != scope) {
          a.close();
        }
        s.release();
        state = State.DONE;
        cancelTimers();
        cancelReason = CancelReason.DEADLINE_EXCEEDED;
      } else {
        state = State.RUNNING;
        slot = s;
        attemptScope = a;
        if (a != scope) {
          // The call's own cancel reaches this listener too, as parent_cancelled, after the
          // call scope's listener has handled it with the real reason: only the attempt's own
          // deadline is news here.
          a.onCancel(
              r -> {
                if (r != CancelReason.PARENT_CANCELLED) {
                  onScopeCancelled(r);
                }
              });
        }
        if (options.heartbeatTimeout() != null) {
          heartbeatTimer = schedule(options.heartbeatTimeout(), this::onHeartbeatTimeout);
        }
        callId = s.connection().register(this);
        Invoke.Builder inv =
            Invoke.newBuilder()
                .setCallId(callId)
                .setFunction(function)
                .setArgs(Protos.json(args))
                .setRemainingMs(remainingMs)
                .setAttempt(attemptNumber)
                .setGraceMs((int) Math.min(Integer.MAX_VALUE, grace.toMillis()));
        if (kwargs.length > 0) {
          inv.setKwargs(Protos.json(kwargs));
        }
        if (options.idempotencyKey() != null) {
          inv.setIdempotencyKey(options.idempotencyKey());
        }
        inv.putAllSecrets(options.secrets());
        if (sink != null) {
          inv.setInitialCredit((int) Math.max(1, Math.min(pendingCredit, Integer.MAX_VALUE)));
          pendingCredit = 0;
        }
        s.connection().send(GatewayFrame.newBuilder().setInvoke(inv).build());
        return;
      }
    }
    // deadline passed while queued: never send a call that cannot finish in time
    settle(
        cancelledFailure(CancelReason.DEADLINE_EXCEEDED, "before it reached a worker"),
        Cleanup.NOT_STARTED);
    closeScope();
  }

  @Override
  public void reject(Failure failure) {
    synchronized (this) {
      if (state != State.QUEUED) {
        return;
      }
      state = State.DONE;
      cancelTimers();
    }
    settle(failure, Cleanup.NOT_STARTED);
    closeScope();
  }

  private void onQueueTimeout() {
    synchronized (this) {
      if (state != State.QUEUED || !pool.withdraw(this)) {
        return;
      }
      state = State.DONE;
      cancelTimers();
    }
    settle(
        Failure.of(
            FailureCode.RESOURCE_EXHAUSTED,
            "QueueTimeout",
            "no "
                + language
                + " worker slot became free within queue_timeout "
                + options.queueTimeout().toMillis()
                + "ms"),
        Cleanup.NOT_STARTED);
    closeScope();
  }

  private void onScopeCancelled(CancelReason reason) {
    Failure failure = cancelledFailure(reason, null);
    boolean settleNow;
    Cleanup cleanupNow = null;
    GatewayFrame cancelFrame = null;
    WorkerSlot s;
    synchronized (this) {
      s = slot;
      switch (state) {
        case QUEUED -> {
          pool.withdraw(this);
          state = State.DONE;
          cancelTimers();
          cancelReason = reason;
          settleNow = true;
          cleanupNow = Cleanup.NOT_STARTED;
        }
        case RUNNING -> {
          cancelReason = reason;
          cancel(heartbeatTimer);
          state = State.CANCELLING;
          if (options.cancellationMode() == CancellationMode.ABANDON) {
            settleNow = true;
            cleanupNow = Cleanup.ABANDONED;
          } else {
            cancelFrame =
                GatewayFrame.newBuilder()
                    .setCancel(Cancel.newBuilder().setCallId(callId).setReason(reason.wireName()))
                    .build();
            settleNow = options.cancellationMode() == CancellationMode.TRY;
            graceTimer = schedule(grace, this::onGraceExpired);
          }
        }
        default -> {
          return;
        }
      }
    }
    if (cancelFrame != null) {
      s.connection().send(cancelFrame);
    }
    if (settleNow) {
      settle(failure, cleanupNow);
    }
    if (cleanupNow == Cleanup.NOT_STARTED) {
      closeScope();
    }
  }

  private void onGraceExpired() {
    WorkerSlot s;
    boolean settleNow;
    synchronized (this) {
      if (state != State.CANCELLING) {
        return;
      }
      state = State.ABANDONED;
      s = slot;
      settleNow = !result.isDone();
    }
    log.warn(
        "call {} on {} was abandoned: it did not settle within the {}ms grace period after"
            + " cancel ({})",
        ref(),
        s.workerId(),
        grace.toMillis(),
        cancelReason.wireName());
    cleanup.complete(Cleanup.ABANDONED);
    if (settleNow) {
      completeExceptionally(cancelledFailure(cancelReason, null), true);
    }
    s.reportAbandoned();
  }

  private void onHeartbeatTimeout() {
    log.debug("call {} missed its heartbeat timeout", ref());
    scope.cancel(CancelReason.HEARTBEAT);
  }

  @Override
  public void onItem(StreamItem item) {
    if (sink == null) {
      return;
    }
    synchronized (this) {
      if (state != State.RUNNING) {
        return;
      }
    }
    try {
      sink.onItem(json.readTree(item.getValue().getData().toByteArray()));
    } catch (IOException e) {
      log.warn("call {}: dropping an item that is not valid JSON", ref(), e);
    }
  }

  @Override
  public void onHeartbeat(Heartbeat hb) {
    synchronized (this) {
      if (state != State.RUNNING) {
        return;
      }
      if (heartbeatTimer != null) {
        heartbeatTimer.cancel();
        heartbeatTimer = schedule(options.heartbeatTimeout(), this::onHeartbeatTimeout);
      }
    }
    if (hb.hasDetails() && !hb.getDetails().getData().isEmpty()) {
      try {
        lastHeartbeat = json.readTree(hb.getDetails().getData().toByteArray());
      } catch (IOException e) {
        log.debug("call {}: heartbeat details are not JSON", ref());
      }
    }
  }

  @Override
  public void onOutcome(Outcome outcome) {
    State before;
    WorkerSlot s;
    synchronized (this) {
      before = state;
      s = slot;
      state = State.DONE;
      cancelTimers();
    }
    s.release();
    switch (before) {
      case RUNNING -> {
        if (outcome.hasFailure()) {
          settle(Protos.toModel(outcome.getFailure()), Cleanup.NONE);
        } else {
          settleValue(outcome);
        }
      }
      case CANCELLING -> {
        // the callee finished its cleanup within grace
        Failure f = cancelledFailure(cancelReason, null);
        if (outcome.hasFailure()) {
          Failure callee = Protos.toModel(outcome.getFailure());
          if (callee.code() != FailureCode.CANCELLED
              && callee.code() != FailureCode.DEADLINE_EXCEEDED) {
            f = f.withCause(callee);
          }
        }
        settle(f, Cleanup.COMPLETED);
      }
      case ABANDONED -> s.abandonedSettled();
      default -> {}
    }
    closeScope();
  }

  @Override
  public void onLost(String why) {
    State before;
    synchronized (this) {
      before = state;
      state = State.DONE;
      cancelTimers();
    }
    Failure lost =
        new Failure(
            FailureCode.UNAVAILABLE,
            "WorkerLost",
            why,
            "java",
            "",
            null,
            true,
            null,
            CancelReason.WORKER_LOST.wireName());
    switch (before) {
      case RUNNING -> settle(lost, Cleanup.WORKER_LOST);
      case CANCELLING ->
          settle(cancelledFailure(cancelReason, null).withCause(lost), Cleanup.WORKER_LOST);
      default -> {}
    }
    closeScope();
  }

  private void settleValue(Outcome outcome) {
    try {
      byte[] data = outcome.getValue().getData().toByteArray();
      JsonNode v = data.length == 0 ? json.nullNode() : json.readTree(data);
      if (sink != null && outcome.getItems() == 0 && !v.isNull()) {
        sink.onItem(v);
      }
      cleanup.complete(Cleanup.NONE);
      result.complete(v);
    } catch (IOException e) {
      settle(
          Failure.of(
              FailureCode.INTERNAL,
              "BadPayload",
              "the worker sent a result that is not JSON: " + e.getMessage()),
          Cleanup.NONE);
    }
  }

  private void settle(Failure failure, Cleanup how) {
    if (how != null) {
      cleanup.complete(how);
    }
    completeExceptionally(failure, false);
  }

  private void completeExceptionally(Failure failure, boolean abandoned) {
    result.completeExceptionally(Failures.toException(failure, abandoned));
  }

  private Failure cancelledFailure(CancelReason reason, String when) {
    String msg =
        reason == CancelReason.DEADLINE_EXCEEDED
            ? "deadline exceeded for " + ref()
            : ref() + " was cancelled (" + reason.wireName() + ")";
    // Settled by the gateway on the callee's behalf (the callee may still be cleaning up): the
    // record belongs to the cancelled call's language, as the callee's own answer would.
    return Failure.cancelled(reason, when == null ? msg : msg + " " + when).withLanguage(language);
  }

  private void closeScope() {
    Scope a;
    synchronized (this) {
      a = attemptScope;
    }
    if (a != scope) {
      a.close();
    }
    scope.close();
  }

  private String ref() {
    return language + ":" + function;
  }

  private Clock.Timer schedule(Duration d, Runnable r) {
    return clock.schedule(d, r);
  }

  private void cancelTimers() {
    cancel(queueTimer);
    cancel(graceTimer);
    cancel(heartbeatTimer);
  }

  private static void cancel(Clock.Timer t) {
    if (t != null) {
      t.cancel();
    }
  }
}
