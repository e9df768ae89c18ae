package dev.braid.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.braid.api.CallOptions;
import dev.braid.api.CancellationMode;
import dev.braid.api.Cleanup;
import dev.braid.api.RemoteCall;
import dev.braid.model.BraidCancellationException;
import dev.braid.model.BraidFailure;
import dev.braid.model.CancelReason;
import dev.braid.model.DeadlineExceededException;
import dev.braid.model.FailureCode;
import dev.braid.model.Scope;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Deadlines, explicit cancel and the three cancellation modes (DESIGN §3.3, §3.6, §3.7). */
class CancellationTest extends WorkerTestBase {

  @BeforeEach
  void startBraid() {
    start();
  }

  private CallOptions.Builder opts() {
    return CallOptions.builder();
  }

  @Test
  void deadlineFiresAndTheCoroutineSawCancelledError() throws Exception {
    RemoteCall call =
        braid
            .function("python:itfuncs:sleep_marked")
            .call(List.of(marker(), 30), opts().timeout(Duration.ofMillis(300)).build());

    Throwable t = failure(call);

    assertThat(t).isInstanceOf(DeadlineExceededException.class);
    assertThat(((BraidFailure) t).failure().code()).isEqualTo(FailureCode.DEADLINE_EXCEEDED);
    assertThat(((DeadlineExceededException) t).reason()).isEqualTo(CancelReason.DEADLINE_EXCEEDED);
    assertThat(readMarker("cancelled")).isEqualTo("deadline_exceeded");
    awaitMarker("finally");
    assertThat(Files.exists(markerFile("finished"))).isFalse();
  }

  @Test
  void totalTimeoutAlsoBoundsTheCall() throws Exception {
    // total_timeout also counts the wait for a worker: start one first, or a slow machine spends
    // the whole budget starting Python and the coroutine never runs to observe the cancel
    workerPid();
    RemoteCall call =
        braid
            .function("python:itfuncs:sleep_marked")
            .call(List.of(marker(), 30), opts().totalTimeout(Duration.ofSeconds(1)).build());
    assertThat(failure(call)).isInstanceOf(DeadlineExceededException.class);
    assertThat(readMarker("cancelled")).isEqualTo("deadline_exceeded");
  }

  @Test
  void explicitCancelReachesTheCoroutineWithReasonCancelled() throws Exception {
    RemoteCall call =
        braid
            .function("python:itfuncs:sleep_marked")
            .call(List.of(marker(), 30), CallOptions.DEFAULT);
    awaitMarker("started");

    assertThat(call.cancel(true)).isTrue();

    assertThat(call.isCancelled()).isTrue();
    Throwable t = failure(call);
    assertThat(t).isInstanceOf(BraidCancellationException.class);
    assertThat(((BraidCancellationException) t).reason()).isEqualTo(CancelReason.CANCELLED);
    assertThat(readMarker("cancelled")).isEqualTo("cancelled");
    assertThat(call.cleanup().get(30, TimeUnit.SECONDS)).isEqualTo(Cleanup.COMPLETED);
  }

  @Test
  void tryModeSettlesAtOnceWhileCleanupContinuesInTheBackground() throws Exception {
    RemoteCall call =
        braid
            .function("python:itfuncs:slow_cleanup")
            .call(List.of(marker(), 1.0), opts().cancellationMode(CancellationMode.TRY).build());
    awaitMarker("started");

    call.cancel(true);

    assertThat(call).isDone();
    assertThat(Files.exists(markerFile("cleaned"))).isFalse();
    assertThat(call.cleanup().get(30, TimeUnit.SECONDS)).isEqualTo(Cleanup.COMPLETED);
    assertThat(Files.exists(markerFile("cleaned"))).isTrue();
  }

  @Test
  void waitModeSettlesOnlyAfterTheCalleeFinishedItsCleanup() throws Exception {
    RemoteCall call =
        braid
            .function("python:itfuncs:slow_cleanup")
            .call(List.of(marker(), 0.5), opts().cancellationMode(CancellationMode.WAIT).build());
    awaitMarker("started");

    call.cancel(true);
    assertThat(call).isNotDone();
    Throwable t = failure(call);

    assertThat(t).isInstanceOf(BraidCancellationException.class);
    assertThat(((BraidFailure) t).abandoned()).isFalse();
    // the marker was written before the outcome was sent, so it exists once the future is done
    assertThat(Files.exists(markerFile("cleaned"))).isTrue();
    assertThat(call.cleanup().getNow(null)).isEqualTo(Cleanup.COMPLETED);
  }

  @Test
  void abandonModeSendsNoCancelAndIgnoresTheResult() throws Exception {
    RemoteCall call =
        braid
            .function("python:itfuncs:sleep_marked")
            .call(
                List.of(marker(), 0.5), opts().cancellationMode(CancellationMode.ABANDON).build());
    awaitMarker("started");

    call.cancel(true);

    assertThat(failure(call)).isInstanceOf(BraidCancellationException.class);
    assertThat(call.cleanup().get(30, TimeUnit.SECONDS)).isEqualTo(Cleanup.ABANDONED);
    // the callee was never told: it ran to its natural end
    awaitMarker("finished");
    assertThat(Files.exists(markerFile("cancelled"))).isFalse();
  }

  @Test
  void coroutineThatSwallowsCancellationIsAbandonedAfterGrace() throws Exception {
    RemoteCall call =
        braid
            .function("python:itfuncs:swallow_cancel")
            .call(
                List.of(marker(), 5),
                opts()
                    .timeout(Duration.ofMillis(300))
                    .grace(Duration.ofMillis(400))
                    .cancellationMode(CancellationMode.WAIT)
                    .build());

    Throwable t = failure(call);

    // settled by deadline + grace, not by the 5 s the function insists on running
    assertThat(t).isInstanceOf(DeadlineExceededException.class);
    assertThat(((BraidFailure) t).abandoned()).isTrue();
    assertThat(Files.exists(markerFile("finished"))).isFalse();
    assertThat(call.cleanup().getNow(null)).isEqualTo(Cleanup.ABANDONED);
    awaitMarker("swallowed");
    assertThat(braid.abandonedCalls()).isEqualTo(1);
  }

  @Test
  void parentScopeCancelReachesTheCallAsParentCancelled() throws Exception {
    Scope parent = Scope.root();
    RemoteCall call =
        braid
            .function("python:itfuncs:sleep_marked")
            .call(List.of(marker(), 30), opts().parent(parent).build());
    awaitMarker("started");

    parent.cancel(CancelReason.SHUTDOWN);

    Throwable t = failure(call);
    assertThat(((BraidCancellationException) t).reason()).isEqualTo(CancelReason.PARENT_CANCELLED);
    assertThat(call.scope().rootReason()).isEqualTo(CancelReason.SHUTDOWN);
    assertThat(readMarker("cancelled")).isEqualTo("parent_cancelled");
  }

  @Test
  void heartbeatsReachTheCallerAndKeepAHeartbeatTimeoutAlive() throws Exception {
    RemoteCall call =
        braid
            .function("python:itfuncs:heartbeats")
            .call(List.of(4), opts().heartbeatTimeout(Duration.ofSeconds(2)).build());
    assertThat(value(call).asInt()).isEqualTo(4);
    await().atMost(WAIT).until(() -> call.lastHeartbeat() != null);
    assertThat(call.lastHeartbeat().get("done").asInt()).isBetween(1, 4);
  }

  @Test
  void missingHeartbeatsFailTheCallWithReasonHeartbeat() throws Exception {
    RemoteCall call =
        braid
            .function("python:itfuncs:sleep_marked")
            .call(List.of(marker(), 30), opts().heartbeatTimeout(Duration.ofMillis(300)).build());
    Throwable t = failure(call);
    assertThat(t).isInstanceOf(DeadlineExceededException.class);
    assertThat(((DeadlineExceededException) t).reason()).isEqualTo(CancelReason.HEARTBEAT);
    assertThat(readMarker("cancelled")).isEqualTo("heartbeat");
  }
}
