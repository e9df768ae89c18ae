package dev.braid.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.braid.api.CallOptions;
import dev.braid.api.RemoteCall;
import dev.braid.model.BraidCancellationException;
import dev.braid.model.FailureCode;
import dev.braid.model.RemoteException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Java functions in a Java worker process: they cannot end the gateway's JVM. */
class JavaWorkerProcessTest extends WorkerTestBase {
  private static final String F = "java:dev.braid.it.ExitFuncs#";

  @BeforeEach
  void startBraid() {
    start(b -> b.javaInProcess(false).pingInterval(Duration.ofMillis(200)));
  }

  long workerPid() throws Exception {
    return value(braid.function(F + "pid").call()).asLong();
  }

  @Test
  void javaFunctionsRunInAnotherProcess() throws Exception {
    assertThat(workerPid()).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(braid.workers("java")).hasSize(1);
  }

  @Test
  void systemExitFailsTheCallWorkerLostAndAFreshWorkerServesTheNext() throws Exception {
    assertEndsOnlyTheWorker("exit");
  }

  @Test
  void runtimeHaltFailsTheCallWorkerLostAndAFreshWorkerServesTheNext() throws Exception {
    assertEndsOnlyTheWorker("halt");
  }

  private void assertEndsOnlyTheWorker(String fn) throws Exception {
    long before = workerPid();
    Path m = markers.resolve("other");
    Files.createDirectories(m);
    // another call in flight on the same worker is lost with it, not left hanging
    RemoteCall other = braid.function(F + "sleepMarked").call(m.toString());
    await().atMost(WAIT).until(() -> Files.exists(m.resolve("started")));

    Throwable t = failure(braid.function(F + fn).call(3));

    assertThat(t).isInstanceOf(RemoteException.class);
    RemoteException e = (RemoteException) t;
    assertThat(e.code()).isEqualTo(FailureCode.UNAVAILABLE);
    assertThat(e.failure().reason()).isEqualTo("worker_lost");
    assertThat(e.getMessage()).contains("java worker");
    assertThat(((RemoteException) failure(other)).code()).isEqualTo(FailureCode.UNAVAILABLE);
    // the gateway is still here (this JVM), and Java calls work again on a new worker
    assertThat(
            value(
                    braid
                        .function(F + "echo")
                        .call(List.of("again"), CallOptions.builder().timeout(WAIT).build()))
                .asText())
        .isEqualTo("again");
    assertThat(workerPid()).isNotEqualTo(before);
    assertThat(braid.workerRestarts()).isEqualTo(1);
  }

  @Test
  void cancelReachesTheFunctionInTheWorkerWithTheReason() throws Exception {
    Path m = markers.resolve("c");
    Files.createDirectories(m);
    RemoteCall call = braid.function(F + "sleepMarked").call(m.toString());
    await().atMost(WAIT).until(() -> Files.exists(m.resolve("started")));
    call.cancel(true);
    assertThat(failure(call)).isInstanceOf(BraidCancellationException.class);
    await().atMost(WAIT).until(() -> Files.exists(m.resolve("cancelled")));
    assertThat(Files.readString(m.resolve("cancelled"))).isEqualTo("cancelled");
  }

  @Test
  void closingBraidShutsTheWorkerDownCancellingItsCallsWithTheReason() throws Exception {
    long pid = workerPid();
    Path m = markers.resolve("s");
    Files.createDirectories(m);
    RemoteCall call = braid.function(F + "sleepMarked").call(m.toString());
    await().atMost(WAIT).until(() -> Files.exists(m.resolve("started")));

    braid.close(); // Shutdown{grace}: the worker waits, cancels with "shutdown", exits

    assertThat(failure(call)).isInstanceOf(BraidCancellationException.class);
    await().atMost(WAIT).until(() -> Files.exists(m.resolve("cancelled")));
    assertThat(Files.readString(m.resolve("cancelled"))).isEqualTo("shutdown");
    await()
        .atMost(WAIT)
        .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);
  }

  @Test
  void nestedCallsFromTheWorkerGoThroughTheGateway() throws Exception {
    // ConfFuncs.callNested: ctx.call(ref, arg) from inside the Java worker process
    assertThat(
            value(
                    braid
                        .function("java:dev.braid.conformance.ConfFuncs#callNested")
                        .call("python:itfuncs:echo", "via python"))
                .asText())
        .isEqualTo("via python");
  }

  @Test
  void checksInspectAClassWithoutRunningItsCode() {
    // its static initializer would call System.exit: in-process resolution would end this JVM
    assertThat(braid.javaFunctionKind("dev.braid.it.ExitOnLoad#f")).isEqualTo("sync");
    assertThatThrownBy(() -> braid.javaFunctionKind("dev.braid.it.ExitOnLoad#nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no public method nope");
  }
}
