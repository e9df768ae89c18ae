package dev.braid.internal.javaworker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.internal.call.Protos;
import dev.braid.internal.hub.CallListener;
import dev.braid.internal.json.JsonRule;
import dev.braid.internal.json.NotSerializableException;
import dev.braid.model.CancelReason;
import dev.braid.model.Clock;
import dev.braid.model.Deadline;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Failures;
import dev.braid.model.RemoteException;
import dev.braid.model.Scope;
import dev.braid.proto.worker.v1.Heartbeat;
import dev.braid.proto.worker.v1.Invoke;
import dev.braid.proto.worker.v1.Outcome;
import dev.braid.proto.worker.v1.StreamItem;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.BaseStream;

/**
 * Runs Java calls ({@code java:pkg.Class#method}), one {@code Invoke} at a time, the way {@code
 * _runner.py} and {@code runner.mjs} run theirs: {@link #invoke} starts the method on a pool
 * thread, {@link #cancel} cancels its callee-side scope (which interrupts the thread and cancels a
 * returned future), {@link #credit} lets a streamed result advance. Its items, heartbeats and
 * single outcome go to the call's {@link CallListener}. Both Java connections share it: the
 * in-process one ({@link InProcessJavaWorker}) and the worker process's link to the hub ({@link
 * JavaWorker}).
 *
 * <p>Thread-safe. Methods run on daemon threads named {@code braid-java-fn-N}; listener callbacks
 * arrive on those threads (or a future's completing thread) and must not block.
 */
public final class JavaCallRunner implements AutoCloseable {
  private final ObjectMapper json;
  private final JavaResolver resolver;
  private final Clock clock;
  private final NestedCaller nested;
  private final int maxPayloadBytes;
  private final ExecutorService executor;
  private final ConcurrentHashMap<Long, Running> calls = new ConcurrentHashMap<>();

  public JavaCallRunner(
      ObjectMapper json,
      JavaResolver resolver,
      Clock clock,
      NestedCaller nested,
      int maxPayloadBytes) {
    this.json = json;
    this.resolver = resolver;
    this.clock = clock;
    this.nested = nested;
    this.maxPayloadBytes = maxPayloadBytes;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "braid-java-fn-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts {@code inv} under {@code id} (unique among the calls in progress); the outcome, and for
   * a stream its items, go to {@code listener}. An id already in progress is refused.
   */
  public void invoke(long id, Invoke inv, CallListener listener) {
    Running r = new Running(id, listener);
    if (calls.putIfAbsent(id, r) != null) {
      throw new IllegalStateException("call id in use: " + id);
    }
    r.start(inv);
  }

  /** Cancels call {@code id} with {@code reason}; a call that already ended is ignored. */
  public void cancel(long id, CancelReason reason) {
    Running r = calls.get(id);
    if (r != null) {
      r.scope.cancel(reason);
    }
  }

  /** Grants {@code n} more stream items to call {@code id}. */
  public void credit(long id, int n) {
    Running r = calls.get(id);
    if (r != null) {
      r.credit(n);
    }
  }

  /** Forgets call {@code id}: its listener hears nothing more (the method may still run). */
  public void forget(long id) {
    calls.remove(id);
  }

  /** The calls whose outcome was not delivered yet. */
  public int inFlight() {
    return calls.size();
  }

  /** Cancels every call with {@code shutdown} and stops the pool's threads. */
  @Override
  public void close() {
    calls.values().forEach(r -> r.scope.cancel(CancelReason.SHUTDOWN));
    executor.shutdownNow();
  }

  /** One call in progress. */
  private final class Running {
    final long id;
    final CallListener listener;
    final AtomicBoolean done = new AtomicBoolean();
    final Semaphore credit = new Semaphore(0);
    volatile Scope scope = Scope.root();
    volatile Flow.Subscription subscription;
    volatile CompletableFuture<?> async;
    volatile String function = "";
    private Thread thread; // guarded by this: the thread running the method, for interrupts
    private long items;
    private long lastHeartbeatNanos;

    Running(long id, CallListener listener) {
      this.id = id;
      this.listener = listener;
    }

    void start(Invoke inv) {
      function = inv.getFunction();
      Deadline d =
          inv.getRemainingMs() > 0
              ? Deadline.after(Duration.ofMillis(inv.getRemainingMs()), clock)
              : null;
      // the scope owns the deadline: its timer cancels the call, close() clears it
      scope = Scope.root(d);
      scope.onCancel(this::onCancel);
      credit.release(inv.getInitialCredit());
      executor.execute(() -> run(inv));
    }

    private void onCancel(CancelReason reason) {
      synchronized (this) {
        if (thread != null) {
          thread.interrupt();
        }
      }
      CompletableFuture<?> a = async;
      if (a != null) {
        a.cancel(true);
      }
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
        finish(null, new CancellationException(reason.wireName()));
      }
    }

    void credit(int n) {
      credit.release(n);
      Flow.Subscription s = subscription;
      if (s != null) {
        s.request(n);
      }
    }

    private void run(Invoke inv) {
      synchronized (this) {
        thread = Thread.currentThread();
      }
      if (scope.isCancelled()) {
        // cancelled before this thread was known (a Cancel in the Invoke's batch): onCancel had
        // no thread to interrupt, so the function must see the interrupt from the start
        Thread.currentThread().interrupt();
      }
      JavaCallContext ctx =
          new JavaCallContext(
              id,
              inv.getFunction(),
              inv.getAttempt(),
              // proto3 strings are never null: "" is "the caller gave none"
              inv.getIdempotencyKey().isEmpty() ? null : inv.getIdempotencyKey(),
              scope,
              nested,
              this::heartbeat,
              inv.getSecretsMap());
      try {
        JavaMethod m = resolver.resolve(inv.getFunction());
        Object[] args =
            m.bind(
                readJson(inv.getArgs().getData().toByteArray()),
                inv.hasKwargs() ? readJson(inv.getKwargs().getData().toByteArray()) : null,
                json,
                ctx);
        Object result =
            ctx.runWith(
                () -> {
                  try {
                    return m.invoke(args);
                  } catch (Exception e) {
                    throw e;
                  } catch (Throwable t) {
                    throw new CompletionException(t);
                  }
                });
        boolean streaming = inv.getInitialCredit() > 0;
        if (JavaMethod.isAsync(result)) {
          CompletableFuture<?> f = ((CompletionStage<?>) result).toCompletableFuture();
          async = f;
          if (scope.isCancelled()) {
            f.cancel(true);
          }
          f.whenComplete(
              (v, e) -> {
                if (e != null) {
                  finish(null, e);
                } else if (streaming) {
                  try {
                    sendItem(v);
                  } catch (RuntimeException bad) { // thrown here, it would be lost: the call hung
                    finish(null, bad);
                    return;
                  }
                  finish(null, null);
                } else {
                  finish(v, null);
                }
              });
        } else if (JavaMethod.isStream(result)) {
          if (!streaming) {
            fail(
                FailureCode.INVALID_ARGUMENT,
                "TypeError",
                "java:" + inv.getFunction() + " returns a stream; call it as a stream");
          } else {
            stream(result);
          }
        } else if (streaming) {
          sendItem(result);
          finish(null, null);
        } else {
          finish(result, null);
        }
      } catch (JavaMethod.UnknownFunction e) {
        fail(FailureCode.INVALID_ARGUMENT, "UnknownFunction", e.getMessage());
      } catch (JavaMethod.BadArguments e) {
        fail(FailureCode.INVALID_ARGUMENT, "TypeError", e.getMessage());
      } catch (Throwable t) {
        finish(null, t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
      } finally {
        synchronized (this) {
          thread = null;
          Thread.interrupted(); // a late cancel must not leak into the pool thread's next task
        }
      }
    }

    private void stream(Object result) throws Exception {
      if (result instanceof Flow.Publisher<?> p) {
        p.subscribe(
            new Flow.Subscriber<Object>() {
              @Override
              public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                int initial = credit.drainPermits();
                if (initial > 0) {
                  s.request(initial);
                }
              }

              @Override
              public void onNext(Object item) {
                sendItem(item);
              }

              @Override
              public void onError(Throwable t) {
                finish(null, t);
              }

              @Override
              public void onComplete() {
                finish(null, null);
              }
            });
        return;
      }
      Iterator<?> it = result instanceof BaseStream<?, ?> s ? s.iterator() : (Iterator<?>) result;
      try {
        // one item ahead of the credit, like the other workers, so the end is always seen
        while (it.hasNext()) {
          Object item = it.next();
          credit.acquire();
          sendItem(item);
        }
        finish(null, null);
      } finally {
        if (result instanceof BaseStream<?, ?> s) {
          s.close();
        }
      }
    }

    private JsonNode readJson(byte[] data) throws JavaMethod.BadArguments {
      try {
        return data.length == 0 ? null : json.readTree(data);
      } catch (IOException e) {
        throw new JavaMethod.BadArguments("arguments are not valid JSON: " + e.getMessage());
      }
    }

    private void heartbeat(Object details) {
      long now = System.nanoTime();
      synchronized (this) {
        if (now - lastHeartbeatNanos < 50_000_000L && lastHeartbeatNanos != 0) {
          return; // throttled: the caller only needs to know we are alive
        }
        lastHeartbeatNanos = now;
      }
      Heartbeat.Builder hb = Heartbeat.newBuilder().setCallId(id);
      try {
        hb.setDetails(Protos.json(json.writeValueAsBytes(details)));
      } catch (JsonProcessingException e) {
        // details are informative only
      }
      listener.onHeartbeat(hb.build());
    }

    private synchronized void sendItem(Object item) {
      byte[] data;
      try {
        data = JsonRule.encode(json, item);
      } catch (NotSerializableException e) {
        // a RemoteException: finish() reports its record as it is
        throw new RemoteException(JsonRule.notSerializable("stream item", function, e.problem()));
      }
      if (data.length > maxPayloadBytes) {
        throw new RemoteException(
            JsonRule.tooLarge("stream item", function, data.length, maxPayloadBytes));
      }
      listener.onItem(
          StreamItem.newBuilder()
              .setCallId(id)
              .setSeq(items++)
              .setValue(Protos.json(data))
              .build());
    }

    private void fail(FailureCode code, String type, String message) {
      complete(
          Outcome.newBuilder()
              .setCallId(id)
              .setFailure(Protos.toProto(Failure.of(code, type, message)))
              .build());
    }

    private void finish(Object value, Throwable error) {
      if (done.get()) {
        return;
      }
      Outcome.Builder o = Outcome.newBuilder().setCallId(id).setItems(items);
      if (error != null) {
        Throwable e = Failures.unwrap(error);
        CancelReason why = scope.reason();
        boolean byCancel =
            why != null
                && (e instanceof InterruptedException
                    || e instanceof CancellationException
                    || e instanceof ClosedByInterruptException);
        Failure f =
            byCancel
                ? Failure.cancelled(
                    why, "java:" + function + " was cancelled (" + why.wireName() + ")")
                : Failures.fromThrowable(e);
        o.setFailure(Protos.toProto(f));
      } else {
        try {
          byte[] data = JsonRule.encode(json, value);
          if (data.length > maxPayloadBytes) {
            o.setFailure(
                Protos.toProto(
                    JsonRule.tooLarge("result", function, data.length, maxPayloadBytes)));
          } else {
            o.setValue(Protos.json(data));
          }
        } catch (NotSerializableException e) {
          o.setFailure(Protos.toProto(JsonRule.notSerializable("result", function, e.problem())));
        }
      }
      complete(o.build());
    }

    private void complete(Outcome outcome) {
      if (!done.compareAndSet(false, true)) {
        return;
      }
      // clears the deadline timer (a late one would interrupt nothing, but cancel nested calls)
      scope.close();
      if (calls.remove(id) != null) {
        listener.onOutcome(outcome);
      }
    }
  }
}
