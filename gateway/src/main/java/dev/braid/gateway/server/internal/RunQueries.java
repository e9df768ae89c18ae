package dev.braid.gateway.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.store.StoreException;
import dev.braid.gateway.store.StoredRun;
import dev.braid.gateway.workflow.Step;
import dev.braid.model.CancelReason;
import dev.braid.model.Failures;
import dev.braid.proto.api.v1.CancelRunRequest;
import dev.braid.proto.api.v1.GetRunRequest;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunInfo;
import dev.braid.proto.api.v1.RunState;
import dev.braid.proto.api.v1.SignalRunRequest;
import dev.braid.proto.api.v1.WatchRunRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RPCs about runs that exist: GetRun, CancelRun, WatchRun, SignalRun. They work for runs in
 * progress and for finished runs the {@link RunRegistry} still keeps, whoever started them; with a
 * store ({@link Durability}), for every run the store keeps, read from it when the server's memory
 * does not have it (store calls run on the store's threads, never the gRPC threads).
 */
final class RunQueries {
  private static final Logger log = LoggerFactory.getLogger("braid.server");

  /** The largest signal payload, as JSON text. */
  static final int MAX_SIGNAL_PAYLOAD = 64 << 10;

  private final RunRegistry registry;
  private final Executor streamExecutor;
  private final int maxWatchers;
  private final AtomicInteger watchers = new AtomicInteger();
  // null: runs are kept in memory only
  private final Durability durability;

  RunQueries(
      RunRegistry registry, Executor streamExecutor, int maxWatchers, Durability durability) {
    this.registry = registry;
    this.streamExecutor = streamExecutor;
    this.maxWatchers = maxWatchers;
    this.durability = durability;
  }

  /** WatchRun streams open now. */
  int watchers() {
    return watchers.get();
  }

  void getRun(GetRunRequest req, StreamObserver<RunInfo> out) {
    RunRecord r;
    try {
      r = find(req.getRunId());
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    if (r != null) {
      reply(out, r.info());
      return;
    }
    answer(out, () -> durability.info(stored(req.getRunId())));
  }

  void cancelRun(CancelRunRequest req, StreamObserver<RunInfo> out) {
    RunRecord r;
    try {
      r = find(req.getRunId());
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    if (r != null) {
      if (r.cancel(CancelReason.CANCELLED)) {
        log.debug("run {} cancelled by a client", r.id());
      }
      reply(out, r.info());
      return;
    }
    answer(
        out,
        () -> {
          StoredRun s = stored(req.getRunId());
          if (s.status().isFinal()) {
            return durability.info(s);
          }
          // no gateway of this store runs it now: marked, and cancelled when it resumes
          durability.store().requestCancel(s.runId());
          log.debug("run {} (not running here) marked cancelled by a client", s.runId());
          return durability.info(stored(s.runId()));
        });
  }

  void signalRun(SignalRunRequest req, StreamObserver<RunInfo> out) {
    RunRecord r;
    JsonNode payload;
    try {
      validName(req.getName());
      if (req.getPayloadJson().length() > MAX_SIGNAL_PAYLOAD) {
        throw Requests.invalid(
            "'payload_json' is "
                + req.getPayloadJson().length()
                + " characters, over the limit of "
                + MAX_SIGNAL_PAYLOAD);
      }
      payload = Requests.value("payload_json", req.getPayloadJson());
      r = find(req.getRunId());
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    if (durability == null) {
      boolean delivered;
      try {
        delivered = r.signalInMemory(req.getName(), payload);
      } catch (IllegalStateException e) {
        out.onError(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException());
        return;
      }
      if (!delivered) {
        out.onError(finished(r.id()).asRuntimeException());
        return;
      }
      reply(out, r.info());
      return;
    }
    answer(
        out,
        () -> {
          StoredRun s = stored(req.getRunId());
          // the live record ends its log (what watchers see) before the store row says final
          RunRecord running = registry.get(s.runId());
          if (s.status().isFinal()
              || (running != null && running.info().getState() != RunState.RUN_STATE_RUNNING)) {
            throw finished(s.runId()).asRuntimeException();
          }
          try {
            durability.store().signal(s.runId(), req.getName(), payload);
          } catch (StoreException e) {
            // it may have finished meanwhile
            if (durability.store().get(s.runId()).map(x -> x.status().isFinal()).orElse(true)) {
              throw finished(s.runId()).asRuntimeException();
            }
            throw e;
          }
          log.debug("signal '{}' journaled for run {}", req.getName(), s.runId());
          RunRecord live = registry.get(s.runId());
          return live != null ? live.info() : durability.info(stored(s.runId()));
        });
  }

  private static Status finished(String id) {
    return Status.FAILED_PRECONDITION.withDescription(
        "run '" + id + "' has finished: it takes no more signals");
  }

  private static void validName(String name) {
    if (name.isEmpty()) {
      throw Requests.invalid(
          "'name' is empty: give the signal's name, as its signal step names it");
    }
    if (!Step.Signal.NAME.matcher(name).matches()) {
      // the workflow's own rule: a name no signal step can wait for is refused here
      throw Requests.invalid("'name' is not a signal name: use " + Step.Signal.NAME_RULE);
    }
  }

  void watchRun(WatchRunRequest req, StreamObserver<RunEvent> observer) {
    ServerCallStreamObserver<RunEvent> out = (ServerCallStreamObserver<RunEvent>) observer;
    // the handlers must be installed now; the streamer comes later, or never
    AtomicReference<EventStreamer> streamer = new AtomicReference<>();
    out.setOnReadyHandler(
        () -> {
          EventStreamer s = streamer.get();
          if (s != null) {
            s.signal();
          }
        });
    out.setOnCancelHandler(
        () -> {
          EventStreamer s = streamer.get();
          if (s != null) {
            s.stop();
          }
        });
    RunRecord r;
    try {
      r = find(req.getRunId());
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    if (watchers.incrementAndGet() > maxWatchers) {
      watchers.decrementAndGet();
      out.onError(
          Status.RESOURCE_EXHAUSTED
              .withDescription(
                  "overloaded: "
                      + maxWatchers
                      + " WatchRun streams are open (limit --max-watchers); retry later")
              .asRuntimeException());
      return;
    }
    if (r != null) {
      stream(durability == null ? r.log() : durability.events(r), req, out, streamer);
      return;
    }
    CompletableFuture.supplyAsync(() -> stored(req.getRunId()), durability.io())
        .whenComplete(
            (s, err) -> {
              if (err != null) {
                watchers.decrementAndGet();
                fail(out, err);
                return;
              }
              stream(durability.stored(s.runId()), req, out, streamer);
            });
  }

  private void stream(
      EventSource source,
      WatchRunRequest req,
      ServerCallStreamObserver<RunEvent> out,
      AtomicReference<EventStreamer> streamer) {
    // events from the store are read by the streamer: on the store's threads when they may block
    Executor executor =
        durability == null || source instanceof EventLog ? streamExecutor : durability.io();
    EventStreamer s =
        new EventStreamer(source, req.getFromSeq(), out, executor, watchers::decrementAndGet);
    streamer.set(s);
    s.start();
  }

  /**
   * The run the server's memory has, else null when a store may have it.
   *
   * @throws StatusRuntimeException INVALID_ARGUMENT for an empty id, NOT_FOUND when neither has it
   */
  private RunRecord find(String id) {
    if (id.isBlank()) {
      throw Requests.invalid("'run_id' is empty: give the id StartWorkflow or RUN_STARTED gave");
    }
    RunRecord r = registry.get(id);
    if (r == null && durability == null) {
      throw notFound(id);
    }
    return r;
  }

  private StoredRun stored(String id) {
    if (id.length() > 200) {
      throw notFound(id.substring(0, 200) + "...");
    }
    Optional<StoredRun> s = durability.store().get(id);
    return s.orElseThrow(() -> notFound(id));
  }

  private StatusRuntimeException notFound(String id) {
    return Status.NOT_FOUND
        .withDescription(
            durability == null
                ? "no run '"
                    + id
                    + "': unknown, or finished long enough ago that the server no longer keeps it"
                : "no run '" + id + "' in the store: unknown, or pruned by the retention")
        .asRuntimeException();
  }

  private static <T> void reply(StreamObserver<T> out, T value) {
    out.onNext(value);
    out.onCompleted();
  }

  /** Answers with what {@code work} returns, computed on the store's threads. */
  private <T> void answer(StreamObserver<T> out, Supplier<T> work) {
    CompletableFuture.supplyAsync(work, durability.io())
        .whenComplete(
            (v, err) -> {
              if (err != null) {
                fail(out, err);
              } else {
                reply(out, v);
              }
            });
  }

  private static void fail(StreamObserver<?> out, Throwable err) {
    if (out instanceof ServerCallStreamObserver<?> s && s.isCancelled()) {
      return;
    }
    Throwable e = Failures.unwrap(err);
    if (e instanceof StatusRuntimeException sre) {
      out.onError(sre);
    } else if (e instanceof StoreException se) {
      log.warn("a store read failed: {}", se.getMessage());
      out.onError(
          Status.UNAVAILABLE.withDescription("the store: " + se.getMessage()).asRuntimeException());
    } else {
      log.warn("a run query failed", e);
      out.onError(
          Status.INTERNAL
              .withDescription(Failures.fromThrowable(e).headline())
              .asRuntimeException());
    }
  }
}
