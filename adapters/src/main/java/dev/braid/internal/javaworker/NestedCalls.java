package dev.braid.internal.javaworker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.CallContext;
import dev.braid.api.CallOptions;
import dev.braid.api.FunctionRef;
import dev.braid.api.RemoteCall;
import dev.braid.api.RemoteFunction;
import dev.braid.internal.call.CallRuntime;
import dev.braid.internal.hub.CallListener;
import dev.braid.internal.hub.WorkerChannel;
import dev.braid.internal.worker.PoolClient;
import dev.braid.internal.worker.SlotProvider;
import dev.braid.internal.worker.WorkerSlot;
import dev.braid.model.Clock;
import dev.braid.model.Scope;
import dev.braid.proto.worker.v1.Cancel;
import dev.braid.proto.worker.v1.GatewayFrame;
import dev.braid.proto.worker.v1.Invoke;
import dev.braid.proto.worker.v1.NestedCall;
import dev.braid.proto.worker.v1.Outcome;
import dev.braid.proto.worker.v1.StreamItem;
import dev.braid.proto.worker.v1.WorkerFrame;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The calls a Java function in the worker process makes to other functions ({@code ctx.call(...)}):
 * each becomes a {@code NestedCall} frame to the gateway, which runs it and answers with a {@code
 * nested_outcome}. The caller side is the library's own {@code CallExecution}, so deadlines (sent
 * as remaining time), cancellation (a {@code nested_cancel} with the reason, e.g. {@code
 * parent_cancelled} when the calling function is cancelled) and grace behave as for a call made in
 * the gateway.
 *
 * <p>Thread-safe. One id space for every language: the gateway's replies carry only the id.
 */
final class NestedCalls implements NestedCaller {
  private final OutboundFrames out;
  private final Clock clock;
  private final ObjectMapper json;
  private final Duration grace;
  private final int maxPayloadBytes;
  private final AtomicLong ids = new AtomicLong();
  private final ConcurrentHashMap<Long, CallListener> calls = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CallRuntime> runtimes = new ConcurrentHashMap<>();

  /** The gateway's call id of a running function, by its scope; weak so ended calls vanish. */
  private final Map<Scope, Long> parents = new WeakHashMap<>();

  NestedCalls(
      OutboundFrames out, Clock clock, ObjectMapper json, Duration grace, int maxPayloadBytes) {
    this.out = out;
    this.clock = clock;
    this.json = json;
    this.grace = grace;
    this.maxPayloadBytes = maxPayloadBytes;
  }

  @Override
  public RemoteCall call(String reference, List<?> args, Map<String, ?> kwargs, CallOptions o) {
    FunctionRef ref = FunctionRef.parse(reference);
    // Called from the function's own thread, the context says which gateway call is the parent,
    // so the gateway links the nested call to it (its deadline, its cancel, its worker's loss).
    CallContext ctx = JavaCallContext.current();
    if (ctx != null && o.parent() == ctx.scope()) {
      long parent = ctx.callId(); // the runner runs each call under the gateway's id
      synchronized (parents) {
        parents.put(ctx.scope(), parent);
      }
    }
    CallRuntime rt =
        runtimes.computeIfAbsent(
            ref.language(),
            l -> new CallRuntime(l, new Channel(l), clock, json, grace, maxPayloadBytes));
    return RemoteFunction.internalOf(ref, rt).call(args, kwargs, o);
  }

  void onItem(StreamItem item) {
    CallListener l = calls.get(item.getCallId());
    if (l != null) {
      l.onItem(item);
    }
  }

  void onOutcome(Outcome outcome) {
    CallListener l = calls.remove(outcome.getCallId());
    if (l != null) {
      l.onOutcome(outcome);
    }
  }

  /** The stream is gone: every nested call fails as if its worker was lost. */
  void closeAll(String why) {
    for (Long id : List.copyOf(calls.keySet())) {
      CallListener l = calls.remove(id);
      if (l != null) {
        l.onLost(why);
      }
    }
  }

  private long parentOf(CallListener l) {
    Scope s = l.scope();
    Scope p = s == null ? null : s.parent();
    if (p == null) {
      return 0;
    }
    synchronized (parents) {
      Long id = parents.get(p);
      return id == null ? 0 : id;
    }
  }

  /** The gateway seen as the "worker" of one language's nested calls: never queues. */
  private final class Channel implements SlotProvider, WorkerSlot, WorkerChannel {
    private final String language;

    Channel(String language) {
      this.language = language;
    }

    @Override
    public void acquire(PoolClient client) {
      client.dispatch(this);
    }

    @Override
    public boolean withdraw(PoolClient client) {
      return false;
    }

    @Override
    public String workerId() {
      return "gateway";
    }

    @Override
    public WorkerChannel connection() {
      return this;
    }

    @Override
    public void release() {}

    @Override
    public void reportAbandoned() {}

    @Override
    public void abandonedSettled() {}

    @Override
    public long register(CallListener listener) {
      long id = ids.incrementAndGet();
      calls.put(id, listener);
      return id;
    }

    @Override
    public void unregister(long callId) {
      calls.remove(callId);
    }

    @Override
    public void send(GatewayFrame frame) {
      switch (frame.getKindCase()) {
        case INVOKE -> {
          Invoke inv = frame.getInvoke();
          CallListener l = calls.get(inv.getCallId());
          NestedCall.Builder nc =
              NestedCall.newBuilder()
                  .setCallId(inv.getCallId())
                  .setParentCallId(l == null ? 0 : parentOf(l))
                  .setFunction(language + ":" + inv.getFunction())
                  .setArgs(inv.getArgs())
                  .setRemainingMs(inv.getRemainingMs())
                  .setInitialCredit(inv.getInitialCredit());
          if (inv.hasKwargs()) {
            nc.setKwargs(inv.getKwargs());
          }
          out.send(WorkerFrame.newBuilder().setNestedCall(nc).build());
        }
        case CANCEL -> {
          Cancel c = frame.getCancel();
          out.send(WorkerFrame.newBuilder().setNestedCancel(c).build());
        }
        default -> {} // credit: the gateway answers nested calls with one outcome, no items
      }
    }

    @Override
    public String describe() {
      return "the gateway (a nested call to " + language + ")";
    }
  }
}
