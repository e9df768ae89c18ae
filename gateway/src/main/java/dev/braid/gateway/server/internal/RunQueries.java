package dev.braid.gateway.server.internal;

import dev.braid.model.CancelReason;
import dev.braid.proto.api.v1.CancelRunRequest;
import dev.braid.proto.api.v1.GetRunRequest;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunInfo;
import dev.braid.proto.api.v1.WatchRunRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RPCs about runs that exist: GetRun, CancelRun, WatchRun. They work for runs in progress and
 * for finished runs the {@link RunRegistry} still keeps, whoever started them.
 */
final class RunQueries {
  private static final Logger log = LoggerFactory.getLogger("braid.server");

  private final RunRegistry registry;
  private final Executor streamExecutor;
  private final int maxWatchers;
  private final AtomicInteger watchers = new AtomicInteger();

  RunQueries(RunRegistry registry, Executor streamExecutor, int maxWatchers) {
    this.registry = registry;
    this.streamExecutor = streamExecutor;
    this.maxWatchers = maxWatchers;
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
    out.onNext(r.info());
    out.onCompleted();
  }

  void cancelRun(CancelRunRequest req, StreamObserver<RunInfo> out) {
    RunRecord r;
    try {
      r = find(req.getRunId());
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    if (r.cancel(CancelReason.CANCELLED)) {
      log.debug("run {} cancelled by a client", r.id());
    }
    out.onNext(r.info());
    out.onCompleted();
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
    EventStreamer s =
        new EventStreamer(
            r.log(), req.getFromSeq(), out, streamExecutor, watchers::decrementAndGet);
    streamer.set(s);
    s.start();
  }

  private RunRecord find(String id) {
    if (id.isBlank()) {
      throw Requests.invalid("'run_id' is empty: give the id StartWorkflow or RUN_STARTED gave");
    }
    RunRecord r = registry.get(id);
    if (r == null) {
      throw Status.NOT_FOUND
          .withDescription(
              "no run '"
                  + id
                  + "': unknown, or finished long enough ago that the server no longer keeps it")
          .asRuntimeException();
    }
    return r;
  }
}
