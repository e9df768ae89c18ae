package dev.braid.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.braid.api.BraidConfig;
import dev.braid.api.WorkerInfo;
import dev.braid.internal.hub.WorkerHubServer;
import dev.braid.model.FailureCode;
import dev.braid.model.ManualClock;
import dev.braid.model.RemoteException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Supervision on a manual clock. Fake launchers (programs that are missing, exit at once or never
 * dial in) cover start failures, backoff, the start timeout and the two-phase close with no worker
 * runtime involved; a real Python worker (no functions needed) covers a crash after Hello and the
 * recycling of a worker that keeps abandoning calls. Liveness with real blocked loops is in {@code
 * dev.braid.it.WorkerFailureTest}. Waits for processes are bounded; no assertion depends on speed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SupervisorTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration PING = Duration.ofHours(1);

  private final ManualClock clock = new ManualClock();
  private final WorkerHubServer hub = WorkerHubServer.start(1 << 20);
  private final List<WorkerPool> pools = new ArrayList<>();

  /** A launcher of any program, named python so messages read as they do in production. */
  record FakeLauncher(List<String> command) implements WorkerLauncher {
    @Override
    public String language() {
      return "python";
    }

    @Override
    public Map<String, String> environment(String workerId, String token, String socketPath) {
      return Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }
  }

  private static BraidConfig.Builder config() {
    return BraidConfig.builder()
        .startTimeout(Duration.ofSeconds(5))
        .defaultGrace(Duration.ofMillis(100))
        // keep the pinger out of the clock's way: these tests are not about liveness
        .pingInterval(PING)
        .livenessTimeout(PING.multipliedBy(3));
  }

  private WorkerPool pool(List<String> command) {
    return pool(new FakeLauncher(command), config().build());
  }

  private WorkerPool pool(WorkerLauncher launcher, BraidConfig config) {
    WorkerPool p = new WorkerPool(launcher, config, hub, clock, 1, null);
    pools.add(p);
    return p;
  }

  /** A real Python worker (no functions needed): starts it and waits until it said Hello. */
  private WorkerPool connectedPythonPool(BraidConfig config) {
    WorkerPool p = pool(new PythonLauncher(config), config);
    p.prestart();
    clock.runDue();
    awaitReady(p);
    return p;
  }

  private static WorkerInfo awaitReady(WorkerPool p) {
    await()
        .atMost(WAIT)
        .until(() -> p.snapshot().stream().anyMatch(w -> w.state().equals("READY")));
    return p.snapshot().get(0);
  }

  /** The delays on the clock other than the (parked) pinger. */
  private List<Duration> startDelays() {
    return clock.pendingDelays().stream().filter(d -> d.compareTo(PING) < 0).toList();
  }

  @AfterEach
  void close() {
    pools.forEach(WorkerPool::close);
    hub.close();
  }

  private static SlotQueueTest.Call call(WorkerPool p, String name) {
    SlotQueueTest.Call c = new SlotQueueTest.Call(name);
    p.acquire(c);
    return c;
  }

  @Test
  void aProgramThatCannotStartFailsTheWaitingCallsAndTheHello() {
    WorkerPool p = pool(List.of("/nonexistent/braid-test-worker"));
    SlotQueueTest.Call c = call(p, "c");
    assertThat(c.failure).as("nothing starts before its timer runs").isNull();

    clock.runDue();

    assertThat(c.failure.code()).isEqualTo(FailureCode.UNAVAILABLE);
    assertThat(c.failure.type()).isEqualTo("WorkerStartFailed");
    assertThat(c.failure.message())
        .startsWith("cannot start the python worker (/nonexistent/braid-test-worker): ");
    assertThat(p.hello())
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(RemoteException.class);
    assertThat(p.queued()).isZero();
  }

  @Test
  void startsAfterQuickFailuresBackOffExponentiallyUpToFiveSeconds() {
    WorkerPool p = pool(List.of("/nonexistent/braid-test-worker"));
    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      SlotQueueTest.Call c = call(p, "c" + i);
      delays.add(
          clock.pendingDelays().stream()
              .filter(d -> d.compareTo(PING) < 0)
              .findFirst()
              .orElseThrow());
      clock.advance(Duration.ofSeconds(5));
      assertThat(c.failure.type()).isEqualTo("WorkerStartFailed");
    }
    assertThat(delays.get(0)).as("the first start is at once").isZero();
    assertThat(delays.subList(1, delays.size()))
        .extracting(Duration::toMillis)
        .containsExactly(200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L);
  }

  @Test
  void aWorkerThatExitsBeforeHelloFailsTheWaitingCallsAndCountsARestart() {
    WorkerPool p = pool(List.of("sh", "-c", "echo boom >&2; exit 3"));
    SlotQueueTest.Call c = call(p, "c");

    clock.runDue();

    await().atMost(WAIT).until(() -> c.failure != null);
    assertThat(c.failure.type()).isEqualTo("WorkerStartFailed");
    assertThat(c.failure.message())
        .matches("(?s)python worker python-1 \\(pid \\d+\\) failed to start \\(exit code 3\\).*");
    assertThat(p.restarts()).isEqualTo(1);
    assertThat(p.snapshot()).isEmpty();
    assertThat(clock.pendingDelays())
        .as("no restart until a call asks again")
        .containsExactly(PING);
  }

  @Test
  void aWorkerThatDoesNotDialInWithinTheStartTimeoutIsKilled() {
    WorkerPool p = pool(List.of("sleep", "60"));
    SlotQueueTest.Call c = call(p, "c");
    clock.runDue();
    List<WorkerInfo> started = p.snapshot();
    assertThat(started).singleElement().satisfies(w -> assertThat(w.state()).isEqualTo("STARTING"));
    ProcessHandle process = ProcessHandle.of(started.get(0).pid()).orElseThrow();

    clock.advance(Duration.ofSeconds(4));
    assertThat(process.isAlive()).as("not before the start timeout").isTrue();
    clock.advance(Duration.ofSeconds(1));

    await().atMost(WAIT).until(() -> c.failure != null);
    assertThat(process.isAlive()).isFalse();
    assertThat(c.failure.type()).isEqualTo("WorkerStartFailed");
    assertThat(c.failure.message()).contains("python-1", "failed to start (signal 9)");
  }

  @Test
  void closeFailsTheWaitingCallsKillsTheWorkersAndRefusesNewCalls() {
    WorkerPool p = pool(List.of("sleep", "60"));
    SlotQueueTest.Call waiting = call(p, "waiting");
    clock.runDue();
    ProcessHandle process = ProcessHandle.of(p.snapshot().get(0).pid()).orElseThrow();

    p.close();

    assertThat(waiting.failure.type()).isEqualTo("Shutdown");
    assertThat(waiting.failure.message()).isEqualTo("braid is shutting down");
    await().atMost(WAIT).until(() -> !process.isAlive());
    SlotQueueTest.Call after = call(p, "after");
    assertThat(after.failure.type()).isEqualTo("Shutdown");
    clock.advance(Duration.ofSeconds(10));
    assertThat(p.restarts()).as("a closed pool restarts nothing").isZero();
    await().atMost(WAIT).until(() -> clock.pending() == 0); // the start timer goes with the exit
  }

  @Test
  void aConnectedWorkerThatCrashesIsReplacedAfterABackoffOnTheClock() {
    WorkerPool p = connectedPythonPool(config().build());
    WorkerInfo first = p.snapshot().get(0);
    ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();

    await().atMost(WAIT).until(() -> p.restarts() == 1);
    // it lived less than 10 s: a quick crash, so the replacement waits 200 ms
    assertThat(startDelays()).containsExactly(Duration.ofMillis(200));
    assertThat(p.snapshot()).isEmpty();
    clock.advance(Duration.ofMillis(200));

    WorkerInfo second = awaitReady(p);
    assertThat(second.pid()).isNotEqualTo(first.pid());
    assertThat(second.id()).isEqualTo("python-2");
  }

  @Test
  void aWorkerThatKeepsAbandoningCallsIsRecycledAndItsSlotsAreNotReused() {
    WorkerPool p = connectedPythonPool(config().abandonLimit(2).build());
    WorkerInfo first = p.snapshot().get(0);
    SlotQueueTest.Call a = call(p, "a");
    SlotQueueTest.Call b = call(p, "b");
    assertThat(a.worker()).as("READY means it takes calls").isEqualTo(first.id());
    assertThat(b.worker()).isEqualTo(first.id());

    a.slot.reportAbandoned();
    assertThat(p.abandonedTotal()).isEqualTo(1);
    assertThat(ProcessHandle.of(first.pid()).orElseThrow().isAlive()).isTrue();
    b.slot.reportAbandoned();

    await().atMost(WAIT).until(() -> p.restarts() == 1);
    assertThat(ProcessHandle.of(first.pid()))
        .satisfiesAnyOf(h -> assertThat(h).isEmpty(), h -> assertThat(h.get().isAlive()).isFalse());
    SlotQueueTest.Call c = call(p, "c");
    assertThat(c.slot).as("the recycled worker takes no call").isNull();
    clock.advance(Duration.ofMillis(200));
    awaitReady(p);
    await().atMost(WAIT).until(() -> c.slot != null);
    assertThat(c.worker()).isEqualTo("python-2");
  }
}
