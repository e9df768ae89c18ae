package dev.braid.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.api.CallOptions;
import dev.braid.model.FailureCode;
import dev.braid.model.RemoteException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input gets a clear failure and the worker keeps serving (DESIGN §10). */
class BadInputTest extends WorkerTestBase {
  private long pid;

  @BeforeEach
  void startBraid() throws Exception {
    start(b -> b.maxPayloadBytes(64 * 1024));
    pid = workerPid();
  }

  private RemoteException failed(String fn, Object... args) throws Exception {
    Throwable t = failure(braid.function(fn).call(args));
    assertThat(t).isInstanceOf(RemoteException.class);
    return (RemoteException) t;
  }

  private void workerStillServes() throws Exception {
    assertThat(value(braid.function("python:itfuncs:add").call(20, 22)).asInt()).isEqualTo(42);
    assertThat(workerPid()).isEqualTo(pid);
  }

  @Test
  void unknownModule() throws Exception {
    RemoteException e = failed("python:no_such_module:fn");
    assertThat(e.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("no_such_module");
    workerStillServes();
  }

  @Test
  void unknownFunctionInAKnownModule() throws Exception {
    RemoteException e = failed("python:itfuncs:does_not_exist");
    assertThat(e.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("does_not_exist");
    workerStillServes();
  }

  @Test
  void resultThatIsNotJsonSerializable() throws Exception {
    RemoteException e = failed("python:itfuncs:not_serializable");
    assertThat(e.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(e.type()).isEqualTo("NotSerializable");
    assertThat(e.getMessage()).contains("as JSON: $").endsWith("has no JSON form (set)");
    workerStillServes();
  }

  @Test
  void oversizedArgumentsAreRefusedBeforeSending() throws Exception {
    RemoteException e = failed("python:itfuncs:echo", "x".repeat(100 * 1024));
    assertThat(e.code()).isEqualTo(FailureCode.RESOURCE_EXHAUSTED);
    assertThat(e.getMessage()).contains("65536");
    workerStillServes();
  }

  @Test
  void oversizedResultIsRefusedByTheWorker() throws Exception {
    RemoteException e = failed("python:itfuncs:big_list", 100_000);
    assertThat(e.code()).isEqualTo(FailureCode.RESOURCE_EXHAUSTED);
    workerStillServes();
  }

  @Test
  void wrongArgumentListIsInvalidArgument() throws Exception {
    RemoteException e = failed("python:itfuncs:add", 1);
    assertThat(e.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(e.type()).isEqualTo("TypeError");
    RemoteException kw =
        (RemoteException)
            failure(
                braid
                    .function("python:itfuncs:add")
                    .call(List.of(1), Map.of("zzz", 2), CallOptions.DEFAULT));
    assertThat(kw.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    workerStillServes();
  }

  @Test
  void argumentsThatCannotBecomeJsonFailWithoutReachingTheWorker() throws Exception {
    RemoteException e = failed("python:itfuncs:echo", new Object());
    assertThat(e.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    workerStillServes();
  }

  @Test
  void malformedReferencesAreRejectedAtOnce() {
    assertThatThrownBy(() -> braid.function("python:not a ref"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("python:module:function");
  }
}
