package dev.braid.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.braid.api.CallOptions;
import dev.braid.api.Cleanup;
import dev.braid.api.RemoteCall;
import dev.braid.model.DeadlineExceededException;
import dev.braid.model.FailureCode;
import dev.braid.model.RemoteException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Workers that block, die or misbehave (DESIGN §3.6, §10). */
class WorkerFailureTest extends WorkerTestBase {

  @Test
  void cpuBoundLoopStillSettlesOnTimeAndTheWorkerIsRecycled() throws Exception {
    start(b -> b.pingInterval(Duration.ofMillis(200)).livenessTimeout(Duration.ofSeconds(1)));
    long before = workerPid();

    RemoteCall call =
        braid
            .function("python:itfuncs:spin")
            .call(List.of(), CallOptions.builder().timeout(Duration.ofMillis(500)).build());

    // the gateway's own timer settles the call although the worker never sees the cancel
    assertThat(failure(call)).isInstanceOf(DeadlineExceededException.class);
    await()
        .atMost(WAIT)
        .until(() -> !ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false));
    assertThat(call.cleanup().get(30, TimeUnit.SECONDS))
        .isIn(Cleanup.WORKER_LOST, Cleanup.ABANDONED);

    long after = workerPid();
    assertThat(after).isNotEqualTo(before);
    assertThat(value(braid.function("python:itfuncs:echo").call("alive")).asText())
        .isEqualTo("alive");
  }

  @Test
  void callsMadeWhileTheLoopIsBlockedWaitForTheReplacementInsteadOfFailing() throws Exception {
    start(b -> b.pingInterval(Duration.ofMillis(200)).livenessTimeout(Duration.ofSeconds(1)));
    long before = workerPid();
    RemoteCall spin =
        braid
            .function("python:itfuncs:spin")
            .call(List.of(), CallOptions.builder().timeout(Duration.ofMillis(500)).build());
    assertThat(failure(spin)).isInstanceOf(DeadlineExceededException.class);

    // the worker is still blocked (recycling comes after 1 s without pongs): this call must not
    // be sent to it, but wait for the replacement
    RemoteCall next =
        braid
            .function("python:itfuncs:pid")
            .call(List.of(), CallOptions.builder().timeout(Duration.ofSeconds(20)).build());
    assertThat(value(next).asLong()).isNotEqualTo(before);
  }

  @Test
  void killedWorkerFailsItsCallUnavailableAndIsReplaced() throws Exception {
    start();
    long before = workerPid();
    RemoteCall call = braid.function("python:itfuncs:sleep_marked").call(marker(), 30);
    awaitMarker("started");

    ProcessHandle.of(before).orElseThrow().destroyForcibly(); // SIGKILL

    Throwable t = failure(call);
    assertThat(t).isInstanceOf(RemoteException.class);
    RemoteException re = (RemoteException) t;
    assertThat(re.code()).isEqualTo(FailureCode.UNAVAILABLE);
    assertThat(re.failure().retryable()).isTrue();
    assertThat(re.failure().reason()).isEqualTo("worker_lost");
    assertThat(re.getMessage()).contains("pid " + before);

    long after = workerPid();
    assertThat(after).isNotEqualTo(before);
    assertThat(value(braid.function("python:itfuncs:add").call(1, 1)).asInt()).isEqualTo(2);
    assertThat(braid.workerRestarts()).isEqualTo(1);
  }

  @Test
  void workerThatKeepsAbandoningCallsIsRecycled() throws Exception {
    start(b -> b.abandonLimit(2).defaultGrace(Duration.ofMillis(200)));
    long before = workerPid();
    CallOptions quick = CallOptions.builder().timeout(Duration.ofMillis(200)).build();

    for (int i = 0; i < 2; i++) {
      Path dir = markers.resolve("m" + i);
      Files.createDirectories(dir);
      RemoteCall c =
          braid.function("python:itfuncs:swallow_cancel").call(List.of(dir.toString(), 30), quick);
      assertThat(failure(c)).isInstanceOf(DeadlineExceededException.class);
      assertThat(c.cleanup().get(30, TimeUnit.SECONDS))
          .isIn(Cleanup.ABANDONED, Cleanup.WORKER_LOST);
    }

    await()
        .atMost(WAIT)
        .until(() -> !ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false));
    assertThat(workerPid()).isNotEqualTo(before);
  }
}
