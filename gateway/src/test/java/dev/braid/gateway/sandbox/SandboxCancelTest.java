package dev.braid.gateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.model.CancelReason;
import dev.braid.model.Clock;
import dev.braid.model.Deadline;
import dev.braid.model.Scope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Cancellation from the caller kills the whole tree. */
@Timeout(60)
class SandboxCancelTest {
  private static Sandbox sandbox;

  @BeforeAll
  static void start() {
    sandbox = Sandboxes.create(1);
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  /** A script that starts a child with a unique marker in its argv, says so, then waits. */
  static String spawner(String marker) {
    return "import subprocess, time\n"
        + "subprocess.Popen(['/usr/bin/sleep', '"
        + marker
        + "'])\n"
        + "print('started', flush=True)\n"
        + "time.sleep(300)\n";
  }

  static String marker() {
    return "1000." + System.nanoTime() % 1_000_000_000;
  }

  static boolean alive(String marker) {
    return ProcessHandle.allProcesses()
        .anyMatch(
            h -> h.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false));
  }

  static void awaitGone(String marker) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (alive(marker) && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(alive(marker)).as("a process with " + marker + " survived").isFalse();
  }

  @Test
  void cancellingTheFutureKillsTheTree() throws Exception {
    String marker = marker();
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<ExecResult> f =
        sandbox.execute(
            Script.python(spawner(marker)),
            Limits.DEFAULTS.withWallTimeout(Duration.ofSeconds(30)),
            (s, t) -> started.countDown());
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(alive(marker)).isTrue();
    assertThat(f.cancel(true)).isTrue();
    assertThat(f).isCancelled();
    awaitGone(marker);
  }

  @Test
  void cancellingTheScopeKillsTheTreeAndReportsKilledCancelled() throws Exception {
    String marker = marker();
    CountDownLatch started = new CountDownLatch(1);
    Scope scope = Scope.root();
    CompletableFuture<ExecResult> f =
        sandbox.execute(
            Script.python(spawner(marker)),
            Limits.DEFAULTS.withWallTimeout(Duration.ofSeconds(30)),
            (s, t) -> started.countDown(),
            scope);
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    scope.cancel(CancelReason.CANCELLED);
    ExecResult r = f.get(20, TimeUnit.SECONDS);
    assertThat(r.verdict()).isEqualTo(Verdict.KILLED);
    assertThat(r.error().reason()).isEqualTo("cancelled");
    assertThat(r.details()).endsWith("ended: cancelled");
    assertThat(r.stdout()).isEqualTo("started\n");
    awaitGone(marker);
  }

  @Test
  void aScopeDeadlineBoundsTheRun() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    Scope scope = Scope.root(Deadline.after(Duration.ofMillis(700), Clock.system(timer)));
    ExecResult r =
        sandbox
            .execute(Script.python("import time\ntime.sleep(60)"), Limits.DEFAULTS, null, scope)
            .get(20, TimeUnit.SECONDS);
    timer.shutdownNow();
    assertThat(r.verdict()).isEqualTo(Verdict.WALL_TIME_LIMIT);
    assertThat(r.wallMillis()).isLessThan(5_000);
  }

  @Test
  void anAlreadyCancelledScopeStartsNothing() throws Exception {
    Scope scope = Scope.root();
    scope.cancel(CancelReason.SHUTDOWN);
    ExecResult r =
        sandbox
            .execute(Script.python("print(1)"), Limits.DEFAULTS, null, scope)
            .get(5, TimeUnit.SECONDS);
    assertThat(r.verdict()).isEqualTo(Verdict.KILLED);
    assertThat(r.error().reason()).isEqualTo("shutdown");
  }
}
