package dev.braid.gateway.server.internal;

import com.google.protobuf.Timestamp;
import dev.braid.gateway.server.RunView;
import dev.braid.gateway.store.RunStatus;
import dev.braid.gateway.store.StoredRun;
import dev.braid.proto.api.v1.CancelRunRequest;
import dev.braid.proto.api.v1.EventStatus;
import dev.braid.proto.api.v1.GetRunRequest;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunInfo;
import dev.braid.proto.api.v1.RunState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The console's {@link RunView} over the server's {@link RunRegistry} and, with a store, its {@link
 * Durability}. Reads and cancels go through {@link RunQueries}, the code of GetRun and CancelRun;
 * events are the ones WatchRun streams, which the engine has already redacted.
 *
 * <p>Thread-safe; blocks the calling thread on store reads (bounded by ten seconds).
 */
public final class ConsoleRuns implements RunView {
  // a console request waits this long for the store, then fails rather than hold a thread
  private static final long STORE_WAIT_MS = 10_000;
  private static final int READ_BATCH = 1_000;

  private final RunRegistry registry;
  private final Durability durability;
  private final RunQueries queries;

  public ConsoleRuns(RunRegistry registry, Durability durability, Executor executor) {
    this.registry = registry;
    this.durability = durability;
    // no WatchRun streams go through this instance: it serves GetRun and CancelRun only
    this.queries = new RunQueries(registry, executor, 0, durability);
  }

  @Override
  public List<Run> runs(Filter f) {
    Map<String, Run> byId = new LinkedHashMap<>();
    for (RunRecord r : registry.all()) {
      Run run = run(r.info());
      if (matches(run, f)) {
        byId.put(run.id(), run);
      }
    }
    if (durability != null) {
      RunStatus status =
          f.status() == null ? null : RunStatus.valueOf(f.status().toUpperCase(Locale.ROOT));
      // the store has no filter by workflow or id: read more than a page, bounded
      int want = f.workflow() == null && f.idPrefix() == null ? f.limit() : MAX_PAGE * 5;
      List<StoredRun> stored = onStore(() -> durability.store().list(status, want));
      for (StoredRun s : stored) {
        if (!byId.containsKey(s.runId())) {
          Run run = run(durability.info(s, false));
          if (matches(run, f)) {
            byId.put(run.id(), run);
          }
        }
      }
    }
    return byId.values().stream()
        .sorted(Comparator.comparing(Run::started).reversed())
        .limit(f.limit())
        .toList();
  }

  @Override
  public Optional<Detail> run(String id) {
    CompletableFuture<RunInfo> info = new CompletableFuture<>();
    queries.getRun(GetRunRequest.newBuilder().setRunId(id).build(), observer(info));
    RunInfo i;
    try {
      i = info.get(STORE_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (notFound(e.getCause())) {
        return Optional.empty();
      }
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("reading run " + id + ": " + e, e);
    }
    RunRecord live = registry.get(id);
    EventSource source =
        live != null
            ? (durability == null ? live.log() : durability.events(live))
            : durability.stored(id);
    boolean sync = live != null && durability == null;
    return Optional.of(sync ? steps(i, source) : onStore(() -> steps(i, source)));
  }

  @Override
  public CompletableFuture<Optional<Run>> cancel(String id) {
    CompletableFuture<RunInfo> info = new CompletableFuture<>();
    queries.cancelRun(CancelRunRequest.newBuilder().setRunId(id).build(), observer(info));
    return info.handle(
        (i, err) -> {
          if (err == null) {
            return Optional.of(run(i));
          }
          if (notFound(err)) {
            return Optional.empty();
          }
          throw err instanceof RuntimeException re ? re : new IllegalStateException(err);
        });
  }

  private Detail steps(RunInfo info, EventSource source) {
    Map<String, Row> rows = new LinkedHashMap<>();
    long from = 0;
    boolean partial = false;
    int read = 0;
    while (true) {
      EventLog.Slice s = source.read(from, Math.min(READ_BATCH, MAX_EVENTS - read));
      if (!s.events().isEmpty() && s.events().get(0).getSeq() != from) {
        partial = true; // the in-memory window dropped the oldest events
      }
      for (RunEvent e : s.events()) {
        apply(rows, e);
      }
      read += s.events().size();
      if (s.events().isEmpty() || s.nextSeq() <= from) {
        break;
      }
      from = s.nextSeq();
      if (read >= MAX_EVENTS) {
        partial = info.getNextSeq() > from || info.getState() == RunState.RUN_STATE_RUNNING;
        break;
      }
    }
    return new Detail(run(info), rows.values().stream().map(Row::toStep).toList(), partial);
  }

  private static void apply(Map<String, Row> rows, RunEvent e) {
    if (e.getStep().isEmpty()) {
      return;
    }
    Row r = rows.computeIfAbsent(e.getStep(), k -> new Row(k, e.getTMs()));
    if (!e.getKind().isEmpty()) {
      r.kind = e.getKind();
    }
    if (!e.getFunction().isEmpty()) {
      r.function = e.getFunction();
    }
    if (!e.getLanguage().isEmpty()) {
      r.language = e.getLanguage();
    }
    switch (e.getType()) {
      case EVENT_TYPE_ATTEMPT_STARTED -> r.attempts = Math.max(r.attempts, e.getAttempt());
      case EVENT_TYPE_STEP_FINISHED -> {
        r.status = status(e.getStatus());
        r.endMs = e.getTMs();
        if (e.hasError()) {
          r.failure = failure(e.getError());
        }
      }
      default -> {}
    }
  }

  private static final class Row {
    final String step;
    final double startMs;
    String kind = "";
    String function = "";
    String language = "";
    String status = "running";
    int attempts;
    Double endMs;
    RunView.Failure failure;

    Row(String step, double startMs) {
      this.step = step;
      this.startMs = startMs;
    }

    StepRow toStep() {
      return new StepRow(
          step,
          kind,
          function,
          language,
          status,
          attempts,
          startMs,
          endMs == null ? null : endMs - startMs,
          failure);
    }
  }

  private static String status(EventStatus s) {
    return switch (s) {
      case EVENT_STATUS_OK -> "ok";
      case EVENT_STATUS_FAILED -> "failed";
      case EVENT_STATUS_CANCELLED -> "cancelled";
      case EVENT_STATUS_SKIPPED -> "skipped";
      default -> "running";
    };
  }

  private static boolean matches(Run r, Filter f) {
    return (f.status() == null || f.status().equals(r.status()))
        && (f.workflow() == null || f.workflow().equals(r.workflow()))
        && (f.idPrefix() == null || r.id().startsWith(f.idPrefix()));
  }

  private static Run run(RunInfo i) {
    return new Run(
        i.getRunId(),
        i.getWorkflow(),
        switch (i.getState()) {
          case RUN_STATE_SUCCEEDED -> "succeeded";
          case RUN_STATE_FAILED -> "failed";
          case RUN_STATE_CANCELLED -> "cancelled";
          default -> "running";
        },
        instant(i.getCreatedAt()),
        i.hasFinishedAt() ? instant(i.getFinishedAt()) : null,
        i.getCancelRequested(),
        i.getFailedStep().isEmpty() ? null : i.getFailedStep(),
        i.hasFailure() ? failure(i.getFailure()) : null);
  }

  private static RunView.Failure failure(dev.braid.proto.api.v1.Failure f) {
    return new RunView.Failure(
        f.getCode().name().toLowerCase(Locale.ROOT),
        f.getType(),
        f.getMessage(),
        f.getLanguage(),
        f.getReason().isEmpty() ? null : f.getReason());
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  private static boolean notFound(Throwable t) {
    return t instanceof StatusRuntimeException sre
        && sre.getStatus().getCode() == Status.Code.NOT_FOUND;
  }

  private <T> T onStore(java.util.function.Supplier<T> work) {
    try {
      return CompletableFuture.supplyAsync(work, durability.io())
          .get(STORE_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the store: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("the store did not answer in time", e);
    }
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<T> into) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        into.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        into.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    };
  }
}
