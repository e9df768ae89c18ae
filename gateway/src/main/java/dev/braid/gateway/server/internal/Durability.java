package dev.braid.gateway.server.internal;

import com.google.protobuf.Timestamp;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.WorkflowEngine.WorkflowRun;
import dev.braid.gateway.store.RunStatus;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.store.StoredRun;
import dev.braid.model.CancelReason;
import dev.braid.proto.api.v1.RunInfo;
import dev.braid.proto.api.v1.RunState;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server adds on a durable store (docs/durability.md, "The server"): the runs it runs
 * write through a {@link ServerJournal}, so that shutdown can leave them to resume; the RPCs about
 * runs read what the server's memory no longer has from the store; retention prunes old runs.
 *
 * <p>Thread-safe. Store calls block: the RPC handlers make them on {@link #io()}, never on the gRPC
 * threads.
 */
public final class Durability implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("braid.server");

  /** How often a watch of a run this server does not run looks for new events. */
  static final Duration POLL = Duration.ofMillis(200);

  private final RunStore store;
  private final ServerLimits limits;
  private final ScheduledExecutorService timer;
  private final ExecutorService io;
  private final Map<String, Live> live = new ConcurrentHashMap<>();

  private record Live(RunRecord record, ServerJournal journal, WorkflowRun run) {}

  /**
   * @param store not closed here: its owner closes it after the server has stopped
   * @param timer for polling; not shut down here
   * @param io the threads store calls run on; shut down by {@link #close()}
   */
  public Durability(
      RunStore store, ServerLimits limits, ScheduledExecutorService timer, ExecutorService io) {
    this.store = store;
    this.limits = limits;
    this.timer = timer;
    this.io = io;
  }

  RunStore store() {
    return store;
  }

  ExecutorService io() {
    return io;
  }

  /** The journal a run of {@code record} writes through, on the store's journal {@code stored}. */
  ServerJournal journal(RunRecord record, RunJournal stored) {
    return new ServerJournal(stored, record);
  }

  /** Tracks a started run until it ends, so that {@link #detachAll} can leave it to resume. */
  void started(RunRecord record, ServerJournal journal, WorkflowRun run) {
    live.put(record.id(), new Live(record, journal, run));
    run.result().whenComplete((v, e) -> live.remove(record.id()));
  }

  /** Runs this server runs now. */
  int running() {
    return live.size();
  }

  /**
   * Stops running every run without ending it: nothing more is written for them, their watchers are
   * told the server is shutting down, and they are cancelled with reason {@code shutdown}. They
   * stay unfinished in the store, and the next server on it resumes them. Waits at most {@code
   * grace} for them to wind down.
   */
  public void detachAll(Duration grace) throws InterruptedException {
    List<Live> now = new ArrayList<>(live.values());
    if (now.isEmpty()) {
      return;
    }
    log.info("{} runs are left in the store to resume when the server restarts", now.size());
    detach(
        now,
        "the server is shutting down: run %s is kept in the store and resumes when the server"
            + " restarts (WatchRun with from_seq %d follows it)",
        grace);
  }

  /**
   * Stops running every run after this gateway lost its lease (another gateway resumes them), as
   * {@link #detachAll} does, and returns their records once they have wound down (at most {@code
   * grace}), for the caller to forget.
   */
  List<RunRecord> detachAllFenced(Duration grace) throws InterruptedException {
    List<Live> now = new ArrayList<>(live.values());
    if (!now.isEmpty()) {
      detach(
          now,
          "this gateway lost its lease on the store: run %s is resumed by another gateway"
              + " (WatchRun on any gateway, from_seq %d, follows it)",
          grace);
    }
    return now.stream().map(Live::record).toList();
  }

  private void detach(List<Live> now, String why, Duration grace) throws InterruptedException {
    List<CompletableFuture<?>> ends = new ArrayList<>();
    for (Live l : now) {
      l.journal().detach();
      long next = l.record().log().nextSeq();
      l.record()
          .detach(Status.UNAVAILABLE.withDescription(String.format(why, l.record().id(), next)));
      l.run().cancel(CancelReason.SHUTDOWN);
      ends.add(l.run().result());
    }
    try {
      CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new))
          .handle((v, e) -> null)
          .get(grace.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("runs left to resume did not wind down within {}", grace);
    }
  }

  /**
   * Where a watch of {@code record}'s events reads: with a store every run is kept in it, also a
   * resumed run whose log does not yet continue the stored numbering (it is registered before its
   * claim).
   */
  EventSource events(RunRecord record) {
    return new DurableEvents(record.log(), store, record.id(), limits, timer);
  }

  /** Where a watch of a run this server does not know in memory reads. */
  EventSource stored(String runId) {
    return new StoredEvents(store, runId, limits, timer, POLL);
  }

  /**
   * How many events the store has for a run: its events are numbered from 0 without gaps, so the
   * count is found with a logarithmic number of one-event reads.
   */
  long eventCount(String runId) {
    if (store.events(runId, 0, 1).isEmpty()) {
      return 0;
    }
    long lo = 0; // has an event
    long hi = 1;
    while (!store.events(runId, hi, 1).isEmpty()) {
      lo = hi;
      hi = hi * 2;
    }
    // lo has an event, hi has none
    while (hi - lo > 1) {
      long mid = (lo + hi) >>> 1;
      if (store.events(runId, mid, 1).isEmpty()) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return hi;
  }

  /** A stored run as GetRun shows it. */
  RunInfo info(StoredRun r) {
    return info(r, true);
  }

  /**
   * A stored run as GetRun shows it; without {@code countEvents}, its {@code next_seq} is left 0 (a
   * list of runs need not pay a logarithmic number of reads per run).
   */
  RunInfo info(StoredRun r, boolean countEvents) {
    RunInfo.Builder b =
        RunInfo.newBuilder()
            .setRunId(r.runId())
            .setWorkflow(r.workflow())
            .setState(state(r.status()))
            .setCancelRequested(r.cancelRequested());
    if (countEvents) {
      b.setNextSeq(eventCount(r.runId()));
    }
    if (r.created() != null) {
      b.setCreatedAt(timestamp(r.created()));
    }
    if (r.finished() != null) {
      b.setFinishedAt(timestamp(r.finished()));
    }
    if (r.status() == RunStatus.SUCCEEDED) {
      String json = ApiProtos.json(r.result());
      if (limits == null || limits.fits(json)) {
        b.setResultJson(json);
      } else {
        b.setState(RunState.RUN_STATE_FAILED)
            .setFailure(
                ApiProtos.failure(
                    dev.braid.model.Failure.of(
                        dev.braid.model.FailureCode.RESOURCE_EXHAUSTED,
                        "ResultTooLarge",
                        limits.tooLargeMessage("the run's result", json))));
      }
    }
    if (r.failure() != null) {
      b.setFailure(ApiProtos.failure(r.failure()));
    }
    return b.build();
  }

  private static RunState state(RunStatus s) {
    return switch (s) {
      case RUNNING -> RunState.RUN_STATE_RUNNING;
      case SUCCEEDED -> RunState.RUN_STATE_SUCCEEDED;
      case FAILED -> RunState.RUN_STATE_FAILED;
      case CANCELLED -> RunState.RUN_STATE_CANCELLED;
    };
  }

  private static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  /**
   * Prunes finished runs older than {@code maxAge} or beyond the newest {@code keep}, now and every
   * {@code every}, until {@link #close()}.
   */
  public void retain(Duration maxAge, int keep, Duration every) {
    long ms = every.toMillis();
    // on the store's threads: the timer thread answers the RPCs' deadlines
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            io.execute(() -> prune(maxAge, keep));
          } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
          }
        },
        0,
        Math.max(1, ms),
        TimeUnit.MILLISECONDS);
  }

  /** Deletes finished runs past the retention; logs how many went. Never throws. */
  void prune(Duration maxAge, int keep) {
    try {
      int n = store.prune(maxAge, keep);
      if (n > 0) {
        log.info("retention: pruned {} finished runs", n);
      }
    } catch (RuntimeException e) {
      log.warn("retention: pruning failed: {}", e.getMessage());
    }
  }

  /** Stops the store threads (the store itself belongs to the caller). */
  @Override
  public void close() {
    io.shutdown();
    try {
      if (!io.awaitTermination(5, TimeUnit.SECONDS)) {
        io.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      io.shutdownNow();
    }
  }
}
