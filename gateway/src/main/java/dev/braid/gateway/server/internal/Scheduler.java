package dev.braid.gateway.server.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Timestamp;
import dev.braid.gateway.schedule.CronSchedule;
import dev.braid.gateway.store.RunStore;
import dev.braid.gateway.workflow.Schedule;
import dev.braid.model.CancelReason;
import dev.braid.proto.api.v1.ListSchedulesRequest;
import dev.braid.proto.api.v1.ListSchedulesResponse;
import dev.braid.proto.api.v1.RunState;
import dev.braid.proto.api.v1.ScheduleInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the runs of the {@code --workflows} folder's schedules on time (docs/workflows.md
 * "schedule"). Each schedule has one timer at a time, on the server's timer thread, for its next
 * slot; the work of a slot (the overlap check, the store, starting the run) happens on the check
 * executor. A slot's run id is derived from the workflow and the slot, and with a store the slot is
 * taken in the transaction that creates the run: across restarts, and with several servers on one
 * store, a slot is never fired twice. After a restart, the latest slot missed while no server ran
 * is fired once at once (earlier missed ones are not); a slot this server reaches late (a busy
 * machine) fires late, and the slots it overslept are skipped.
 *
 * <p>Thread-safe: a schedule's state is touched only by its own slot's work, one at a time.
 */
final class Scheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("braid.server");

  /** The most upcoming fire times ListSchedules gives per schedule. */
  static final int MAX_NEXT = 100;

  /** One schedule of a folder workflow. */
  record Entry(String name, CronSchedule cron, ObjectNode input, Schedule.Overlap overlap) {}

  private final class State {
    final Entry entry;
    volatile Instant lastSlot;
    volatile String lastRunId;
    volatile ScheduledFuture<?> timer;

    State(Entry entry) {
      this.entry = entry;
    }
  }

  private final List<State> states = new ArrayList<>();
  private final WorkflowRuns runs;
  private final RunRegistry registry;
  private final RunStore store;
  private final ScheduledExecutorService timer;
  private final Executor work;
  private final InstantSource wall;
  private volatile boolean closed;

  /**
   * @param store the run store, or null: then slots are remembered in memory only (a restart starts
   *     from the next slot, and nothing keeps two servers apart)
   */
  Scheduler(
      List<Entry> entries,
      WorkflowRuns runs,
      RunRegistry registry,
      RunStore store,
      ScheduledExecutorService timer,
      Executor work,
      InstantSource wall) {
    entries.stream()
        .sorted(Comparator.comparing(Entry::name))
        .forEach(e -> states.add(new State(e)));
    this.runs = runs;
    this.registry = registry;
    this.store = store;
    this.timer = timer;
    this.work = work;
    this.wall = wall;
  }

  /** The run id of {@code workflow}'s slot {@code at}: the same in every server and life. */
  static String runId(String workflow, Instant at) {
    return UUID.nameUUIDFromBytes(
            ("braid-schedule:" + workflow + "@" + at.toEpochMilli())
                .getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** Arms every schedule; a slot missed while no server ran fires now (once). */
  void start() {
    for (State s : states) {
      work.execute(() -> catchUp(s));
    }
  }

  private void catchUp(State s) {
    Instant now = wall.instant();
    Instant last = null;
    if (store != null) {
      try {
        last = store.lastSlot(s.entry.name()).orElse(null);
      } catch (RuntimeException e) {
        log.warn(
            "schedule of {}: the last slot could not be read: {}", s.entry.name(), e.toString());
      }
    }
    s.lastSlot = last;
    // the run of the last slot has an id derived from it: found if this server resumed it
    s.lastRunId = last == null ? null : runId(s.entry.name(), last);
    Optional<Instant> missed = last == null ? Optional.empty() : s.entry.cron().previous(now);
    if (missed.isPresent() && missed.get().isAfter(last)) {
      log.info(
          "schedule of {}: firing slot {}, missed while no server ran",
          s.entry.name(),
          missed.get());
      fire(s, missed.get());
    } else {
      arm(s, now);
    }
  }

  /** Schedules the slot after {@code after}. */
  private void arm(State s, Instant after) {
    if (closed) {
      return;
    }
    Optional<Instant> next = s.entry.cron().next(after);
    if (next.isEmpty()) {
      return;
    }
    Instant slot = next.get();
    long delay = Math.max(0, Duration.between(wall.instant(), slot).toMillis());
    s.timer = timer.schedule(() -> work.execute(() -> fire(s, slot)), delay, TimeUnit.MILLISECONDS);
  }

  private void fire(State s, Instant slot) {
    if (closed) {
      return;
    }
    String name = s.entry.name();
    RunRecord previous = s.lastRunId == null ? null : registry.get(s.lastRunId);
    boolean running = previous != null && previous.info().getState() == RunState.RUN_STATE_RUNNING;
    if (running && s.entry.overlap() == Schedule.Overlap.SKIP) {
      log.info("schedule of {}: slot {} skipped, run {} still runs", name, slot, previous.id());
      try {
        if (store == null || store.skipSlot(name, slot)) {
          s.lastSlot = slot;
        }
      } catch (RuntimeException e) {
        log.warn("schedule of {}: slot {} could not be recorded: {}", name, slot, e.toString());
      }
      arm(s, later(slot));
      return;
    }
    if (running && s.entry.overlap() == Schedule.Overlap.CANCEL_PREVIOUS) {
      log.info("schedule of {}: slot {} cancels run {}", name, slot, previous.id());
      previous.cancel(CancelReason.CANCELLED);
    }
    String id = runId(name, slot);
    runs.startScheduled(name, s.entry.input().deepCopy(), id, slot)
        .whenComplete(
            (rec, err) -> {
              if (err == null) {
                s.lastSlot = slot;
                s.lastRunId = rec.id();
                log.info("schedule of {}: slot {} started run {}", name, slot, rec.id());
              } else if (isAlreadyFired(err)) {
                s.lastSlot = slot;
                log.info("schedule of {}: slot {} fired already", name, slot);
              } else {
                log.warn("schedule of {}: slot {} did not start: {}", name, slot, err.toString());
              }
              arm(s, later(slot));
            });
  }

  // a slot reached late: the next one after now, not the ones overslept
  private Instant later(Instant slot) {
    Instant now = wall.instant();
    return now.isAfter(slot) ? now : slot;
  }

  private static boolean isAlreadyFired(Throwable err) {
    Throwable e = err;
    while (e != null && !(e instanceof StatusRuntimeException)) {
      e = e.getCause();
    }
    return e instanceof StatusRuntimeException sre
        && sre.getStatus().getCode() == Status.Code.ALREADY_EXISTS;
  }

  /** The ListSchedules RPC. */
  void list(ListSchedulesRequest req, StreamObserver<ListSchedulesResponse> out) {
    if (req.getNextCount() > MAX_NEXT) {
      out.onError(
          Status.INVALID_ARGUMENT
              .withDescription("next_count > " + MAX_NEXT + ": " + req.getNextCount())
              .asRuntimeException());
      return;
    }
    int n = req.getNextCount() == 0 ? 3 : req.getNextCount();
    ListSchedulesResponse.Builder b = ListSchedulesResponse.newBuilder();
    Instant now = wall.instant();
    for (State s : states) {
      ScheduleInfo.Builder i =
          ScheduleInfo.newBuilder()
              .setWorkflow(s.entry.name())
              .setCron(s.entry.cron().text())
              .setTimezone(s.entry.cron().zone().getId())
              .setOverlap(s.entry.overlap().word());
      Instant t = now;
      for (int k = 0; k < n; k++) {
        Optional<Instant> next = s.entry.cron().next(t);
        if (next.isEmpty()) {
          break;
        }
        t = next.get();
        i.addNext(timestamp(t));
      }
      Instant last = s.lastSlot;
      if (last != null) {
        i.setLastSlot(timestamp(last));
      }
      if (s.lastRunId != null) {
        i.setLastRunId(s.lastRunId);
      }
      b.addSchedules(i);
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  private static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  /**
   * The schedules of the workflows in {@code dir} (null: none), read once at start. A file that
   * does not parse is left out with a warning: running it by name reports its problems.
   */
  static List<Entry> scan(java.nio.file.Path dir) {
    List<Entry> out = new ArrayList<>();
    if (dir == null) {
      return out;
    }
    for (String name : dev.braid.gateway.server.WorkflowFolder.list(dir)) {
      try {
        Optional<java.nio.file.Path> f = dev.braid.gateway.server.WorkflowFolder.find(dir, name);
        if (f.isEmpty()) {
          continue;
        }
        dev.braid.gateway.workflow.ParsedWorkflow parsed =
            dev.braid.gateway.workflow.ParsedWorkflow.read(f.get());
        if (parsed.workflow() == null || parsed.workflow().schedule().isEmpty()) {
          continue;
        }
        if (!parsed.problems().isEmpty()) {
          log.warn("schedule of {} not armed: {}", name, parsed.problems().get(0).render());
          continue;
        }
        out.add(entry(name, parsed.workflow().schedule().get()));
      } catch (dev.braid.gateway.workflow.WorkflowSyntaxException | RuntimeException e) {
        log.warn("schedule of {} not armed: {}", name, e.getMessage());
      }
    }
    return out;
  }

  /** The entry of folder workflow {@code name}'s {@code schedule}. */
  static Entry entry(String name, Schedule schedule) {
    CronSchedule cron =
        CronSchedule.parse(
            schedule.cron().value(),
            schedule.timezone().map(z -> CronSchedule.zone(z.value())).orElse(null));
    ObjectNode input =
        schedule
            .input()
            .filter(i -> i.value() instanceof ObjectNode)
            .map(i -> (ObjectNode) i.value())
            .orElse(JsonNodeFactory.instance.objectNode());
    return new Entry(name, cron, input, schedule.overlap().value());
  }

  /** Stops arming timers; runs already started go on (they are the server's runs). */
  @Override
  public void close() {
    closed = true;
    for (State s : states) {
      ScheduledFuture<?> t = s.timer;
      if (t != null) {
        t.cancel(false);
      }
    }
  }

  int size() {
    return states.size();
  }
}
