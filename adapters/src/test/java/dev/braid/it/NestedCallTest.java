package dev.braid.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.api.CallOptions;
import dev.braid.api.RemoteCall;
import dev.braid.model.BraidCancellationException;
import dev.braid.model.DeadlineExceededException;
import dev.braid.model.FailureCode;
import dev.braid.model.RemoteException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Workers call other functions through the gateway; nested calls are child scopes. */
class NestedCallTest extends WorkerTestBase {
  private static final String J = "java:dev.braid.it.JavaFuncs#";

  @BeforeEach
  void startBraid() {
    start();
  }

  @Test
  void pythonCallsJavaAndPython() throws Exception {
    assertThat(value(braid.function("python:itfuncs:call_nested").call(J + "add", 2, 3)).asInt())
        .isEqualTo(5);
    assertThat(
            value(braid.function("python:itfuncs:call_nested").call("python:itfuncs:add", 4, 5))
                .asInt())
        .isEqualTo(9);
  }

  @Test
  void javaCallsPythonThroughItsContext() throws Exception {
    assertThat(
            value(braid.function(J + "callPython").call("python:itfuncs:add", List.of(1, 2)))
                .asInt())
        .isEqualTo(3);
  }

  @Test
  void aCycleJavaPythonJavaWorksWhileTheDeadlineAllows() throws Exception {
    // java -> python -> java
    RemoteCall call =
        braid
            .function(J + "callPython")
            .call(
                List.of("python:itfuncs:call_nested", List.of(J + "add", 20, 22)),
                CallOptions.builder().timeout(Duration.ofSeconds(20)).build());
    assertThat(value(call).asInt()).isEqualTo(42);
  }

  @Test
  void nestedCallInheritsTheRemainingDeadline() throws Exception {
    RemoteCall call =
        braid
            .function("python:itfuncs:call_nested")
            .call(
                List.of("python:itfuncs:remaining_ms"),
                CallOptions.builder().timeout(Duration.ofSeconds(2)).build());
    int inner = value(call).asInt();
    assertThat(inner).isBetween(1, 2000);
  }

  @Test
  void failuresKeepTheirLanguageAcrossHops() throws Exception {
    RemoteException e =
        (RemoteException)
            failure(braid.function("python:itfuncs:call_nested").call(J + "failWithCause", "deep"));
    assertThat(e.code()).isEqualTo(FailureCode.APPLICATION);
    assertThat(e.type()).isEqualTo("java.lang.IllegalStateException");
    assertThat(e.failure().language()).isEqualTo("java");
    assertThat(e.failure().cause().type()).isEqualTo("java.lang.NumberFormatException");
  }

  @Test
  void cancellingTheTopCascadesJavaToPythonToJava() throws Exception {
    RemoteCall top =
        braid
            .function("python:itfuncs:nested_marked")
            .call(List.of(marker(), J + "sleepMarked", marker(), 30), CallOptions.DEFAULT);
    awaitMarker("java-started");

    top.cancel(true);

    assertThat(failure(top)).isInstanceOf(BraidCancellationException.class);
    assertThat(readMarker("py-cancelled")).isEqualTo("cancelled");
    assertThat(readMarker("java-cancelled")).isEqualTo("parent_cancelled");
  }

  @Test
  void theTopDeadlineReachesTheInnermostCall() throws Exception {
    RemoteCall top =
        braid
            .function("python:itfuncs:nested_marked")
            .call(
                List.of(marker(), J + "sleepMarked", marker(), 30),
                CallOptions.builder().timeout(Duration.ofMillis(500)).build());
    assertThat(failure(top)).isInstanceOf(DeadlineExceededException.class);
    // the inner call got the remaining time as its own deadline, or the parent's cancel
    assertThat(readMarker("java-cancelled")).isIn("deadline_exceeded", "parent_cancelled");
  }

  @Test
  void unknownNestedFunctionIsInvalidArgument() throws Exception {
    RemoteException e =
        (RemoteException) failure(braid.function("python:itfuncs:call_nested").call("ruby:x:y"));
    assertThat(e.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("ruby");
  }

  @Test
  void javaToJavaCancelCascade() throws Exception {
    Path inner = Files.createDirectories(markers.resolve("inner"));
    RemoteCall top =
        braid
            .function("java:dev.braid.conformance.ConfFuncs#relayMarked")
            .call(
                List.of(marker(), J + "sleepMarked", List.of(inner.toString(), 30)),
                CallOptions.DEFAULT);
    awaitMarker("inner/java-started");
    top.cancel(true);
    assertThat(failure(top)).isInstanceOf(BraidCancellationException.class);
    assertThat(readMarker("cancelled")).isEqualTo("cancelled");
    assertThat(readMarker("inner/java-cancelled")).isEqualTo("parent_cancelled");
  }
}
