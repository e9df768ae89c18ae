package dev.braid.internal.javaworker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.internal.hub.CallListener;
import dev.braid.internal.hub.WorkerChannel;
import dev.braid.internal.worker.PoolClient;
import dev.braid.internal.worker.SlotProvider;
import dev.braid.internal.worker.WorkerSlot;
import dev.braid.model.CancelReason;
import dev.braid.model.Clock;
import dev.braid.proto.worker.v1.FunctionInfo;
import dev.braid.proto.worker.v1.GatewayFrame;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process Java worker: the gateway's {@code CallExecution} talks to it through the same
 * frames as to a worker process ({@code Invoke}, {@code Cancel}, {@code StreamCredit}), so
 * deadlines, cancellation modes, grace and abandonment apply exactly as for Python and Node. It is
 * the connection only; the calls run on the {@link JavaCallRunner} that the worker process's {@link
 * JavaWorker} uses too, and functions resolve through the same {@link JavaResolver}.
 *
 * <p>In-process calls never queue: {@link #acquire} dispatches at once. Thread-safe.
 */
public final class InProcessJavaWorker
    implements SlotProvider, WorkerSlot, WorkerChannel, AutoCloseable {
  private final JavaResolver resolver;
  private final JavaCallRunner runner;
  private final ConcurrentHashMap<Long, CallListener> registered = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong abandoned = new AtomicLong();

  public InProcessJavaWorker(
      ObjectMapper json,
      ClassLoader loader,
      Clock clock,
      NestedCaller nested,
      int maxPayloadBytes) {
    this.resolver = new JavaResolver(loader, json);
    this.runner = new JavaCallRunner(json, resolver, clock, nested, maxPayloadBytes);
  }

  /** Resolves a reference now, for checks; throws IllegalArgumentException with a sentence. */
  public String kindOf(String ref) {
    return resolver.kindOf(ref);
  }

  /** The catalog of {@code classes}, as a worker process announces it in its Hello. */
  public List<FunctionInfo> catalog(List<String> classes) {
    return resolver.preload(classes);
  }

  public long abandonedTotal() {
    return abandoned.get();
  }

  // -- SlotProvider / WorkerSlot: in-process calls never queue -------------------------------

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
    return "java";
  }

  @Override
  public WorkerChannel connection() {
    return this;
  }

  @Override
  public void release() {}

  @Override
  public void reportAbandoned() {
    abandoned.incrementAndGet();
  }

  @Override
  public void abandonedSettled() {}

  // -- WorkerChannel ---------------------------------------------------------------------------

  @Override
  public long register(CallListener listener) {
    long id = ids.incrementAndGet();
    registered.put(id, listener);
    return id;
  }

  @Override
  public void unregister(long callId) {
    registered.remove(callId);
    runner.forget(callId);
  }

  @Override
  public void send(GatewayFrame frame) {
    switch (frame.getKindCase()) {
      case INVOKE -> {
        long id = frame.getInvoke().getCallId();
        CallListener l = registered.remove(id);
        if (l != null) {
          runner.invoke(id, frame.getInvoke(), l);
        }
      }
      case CANCEL ->
          runner.cancel(
              frame.getCancel().getCallId(), CancelReason.fromWire(frame.getCancel().getReason()));
      case CREDIT -> runner.credit(frame.getCredit().getCallId(), frame.getCredit().getCredit());
      default -> {}
    }
  }

  @Override
  public String describe() {
    return "the in-process Java host";
  }

  @Override
  public void close() {
    runner.close();
  }
}
