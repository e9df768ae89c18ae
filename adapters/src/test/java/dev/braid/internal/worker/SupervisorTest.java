package dev.braid.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.braid.api.BraidConfig;
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
 * Supervision with fake launchers (programs that are missing, exit at once or never dial in) on a
 * manual clock: start failures, backoff, the start timeout and the two-phase close, with no worker
 * runtime involved. Connected workers (liveness, abandonment, crashes after Hello) are covered by
 * the real-process tests in {@code dev.braid.it}. Waits for process exits are bounded.
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

  private WorkerPool pool(List<String> command) {
    BraidConfig config =
        BraidConfig.builder()
            .startTimeout(Duration.ofSeconds(5))
            .defaultGrace(Duration.ofMillis(100))
            // no worker here answers pings: keep the pinger out of the clock's way
            .pingInterval(PING)
            .livenessTimeout(PING.multipliedBy(3))
            .build();
    WorkerPool p = new WorkerPool(new FakeLauncher(command), config, hub, clock, 1, null);
    pools.add(p);
    return p;
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
}
