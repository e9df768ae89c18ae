package dev.braid.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.CallOptions;
import dev.braid.api.CancellationMode;
import dev.braid.api.CurrentCall;
import dev.braid.api.RemoteCall;
import dev.braid.api.RemoteStream;
import dev.braid.model.BraidCancellationException;
import dev.braid.model.CancelReason;
import dev.braid.model.DeadlineExceededException;
import dev.braid.model.FailureCode;
import dev.braid.model.RemoteException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** In-process Java functions under the same model as worker functions. */
class JavaFunctionsTest extends WorkerTestBase {
  private static final String F = "java:dev.braid.it.JavaFuncs#";

  @BeforeEach
  void startBraid() throws Exception {
    start();
  }

  @Test
  void valuesRecordsAndFuturesComeBackAsJson() throws Exception {
    assertThat(value(braid.function(F + "add").call(2, 40)).asInt()).isEqualTo(42);
    assertThat(value(braid.function(F + "echo").call(Map.of("zoë", List.of(1, "二")))).toString())
        .isEqualTo("{\"zoë\":[1,\"二\"]}");
    JsonNode label =
        value(
            braid
                .function(F + "orderLabel")
                .call(List.of(), Map.of("sku", "tea", "qty", 2), CallOptions.DEFAULT));
    assertThat(label.asText()).isEqualTo("2 x tea");
    assertThat(value(braid.function(F + "later").call("hi")).asText()).isEqualTo("HI");
  }

  @Test
  void keywordArgumentsBindByNameAndAnUnknownNameIsRefused() throws Exception {
    assertThat(
            value(
                    braid
                        .function(F + "add")
                        .call(List.of(), Map.of("b", 40, "a", 2), CallOptions.DEFAULT))
                .asInt())
        .isEqualTo(42);
    RemoteException unknown =
        (RemoteException)
            failure(
                braid
                    .function(F + "add")
                    .call(List.of(), Map.of("a", 2, "bb", 40), CallOptions.DEFAULT));
    assertThat(unknown.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(unknown.getMessage()).contains("has no parameter 'bb'");
    RemoteException twice =
        (RemoteException)
            failure(
                braid.function(F + "add").call(List.of(2), Map.of("a", 2), CallOptions.DEFAULT));
    assertThat(twice.getMessage()).contains("got parameter 'a' twice");
  }

  @Test
  void currentCallGivesTheRunningFunctionItsContext() throws Exception {
    assertThat(value(braid.function(F + "whoAmI").call()).asText())
        .isEqualTo("dev.braid.it.JavaFuncs#whoAmI");
    assertThat(CurrentCall.context()).as("outside a call").isNull();
  }

  @Test
  void exceptionsBecomeFailureRecordsWithTheirCauses() throws Exception {
    RemoteException e = (RemoteException) failure(braid.function(F + "failWithCause").call("boom"));
    assertThat(e.code()).isEqualTo(FailureCode.APPLICATION);
    assertThat(e.type()).isEqualTo("java.lang.IllegalStateException");
    assertThat(e.failure().language()).isEqualTo("java");
    assertThat(e.failure().stack()).contains("JavaFuncs.failWithCause");
    assertThat(e.failure().cause().type()).isEqualTo("java.lang.NumberFormatException");
  }

  @Test
  void deadlineInterruptsBlockingJavaCode() throws Exception {
    RemoteCall call =
        braid
            .function(F + "sleepMarked")
            .call(
                List.of(marker(), 30),
                CallOptions.builder().timeout(Duration.ofMillis(300)).build());
    assertThat(failure(call)).isInstanceOf(DeadlineExceededException.class);
    assertThat(readMarker("java-cancelled")).isEqualTo("deadline_exceeded");
  }

  @Test
  void cancelReachesAReturnedFutureWithTheReason() throws Exception {
    RemoteCall call = braid.function(F + "pending").call(marker());
    Thread.sleep(100);
    call.cancel(true);
    assertThat(failure(call)).isInstanceOf(BraidCancellationException.class);
    assertThat(readMarker("java-cancelled")).isEqualTo("cancelled");
  }

  @Test
  void codeThatIgnoresInterruptsIsAbandonedAfterGrace() throws Exception {
    RemoteCall call =
        braid
            .function(F + "stubborn")
            .call(
                List.of(5),
                CallOptions.builder()
                    .timeout(Duration.ofMillis(200))
                    .grace(Duration.ofMillis(300))
                    .cancellationMode(CancellationMode.WAIT)
                    .build());
    Throwable t = failure(call);
    assertThat(t).isInstanceOf(DeadlineExceededException.class);
    assertThat(((DeadlineExceededException) t).abandoned()).isTrue();
  }

  @Test
  void streamsAreDeliveredItemByItem() throws Exception {
    RemoteStream s = braid.function(F + "count").stream(List.of(500), CallOptions.DEFAULT);
    List<Integer> got = collectInts(s);
    assertThat(got).hasSize(500).startsWith(0, 1, 2).endsWith(499);
  }

  @Test
  void badReferencesAndArgumentsAreInvalidArgument() throws Exception {
    RemoteException noClass =
        (RemoteException) failure(braid.function("java:no.Such#thing").call());
    assertThat(noClass.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(noClass.getMessage()).contains("no.Such").contains("classpath");
    RemoteException noMethod = (RemoteException) failure(braid.function(F + "nothing").call());
    assertThat(noMethod.getMessage()).contains("no public method nothing");
    RemoteException tooMany = (RemoteException) failure(braid.function(F + "add").call(1, 2, 3));
    assertThat(tooMany.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    RemoteException wrongType = (RemoteException) failure(braid.function(F + "add").call("x", 2));
    assertThat(wrongType.code()).isEqualTo(FailureCode.INVALID_ARGUMENT);
    assertThat(value(braid.function(F + "add").call(1, 2)).asInt()).isEqualTo(3);
  }

  @Test
  void cancellationReasonIsVisibleToTheJavaFunction() throws Exception {
    RemoteCall call = braid.function(F + "sleepMarked").call(marker(), 30);
    awaitMarker("java-started");
    call.cancel(CancelReason.RACE_LOST);
    assertThat(readMarker("java-cancelled")).isEqualTo("race_lost");
  }

  @Test
  void javaHeartbeatsReachTheCallerAndKeepTheHeartbeatTimeoutAlive() throws Exception {
    RemoteCall call =
        braid
            .function(F + "beats")
            .call(
                List.of(5), CallOptions.builder().heartbeatTimeout(Duration.ofMillis(400)).build());
    assertThat(value(call).asInt()).isEqualTo(5);
    assertThat(call.lastHeartbeat().get("done").asInt()).isBetween(1, 5);
  }

  @Test
  void publisherResultsAreStreamed() throws Exception {
    RemoteStream s = braid.function(F + "published").stream(List.of(300), CallOptions.DEFAULT);
    List<Integer> got = collectInts(s);
    assertThat(got).hasSize(300).startsWith(0, 1).endsWith(299);
  }

  private RemoteException streamFailure(String fn) throws Exception {
    RemoteStream s = braid.function(F + fn).stream(List.of(), CallOptions.DEFAULT);
    collectIntsQuietly(s);
    try {
      s.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(RemoteException.class);
      return (RemoteException) e.getCause();
    }
    throw new AssertionError("the stream of " + fn + " completed");
  }

  private static void collectIntsQuietly(RemoteStream s) {
    s.subscribe(
        new Flow.Subscriber<>() {
          @Override
          public void onSubscribe(Flow.Subscription sub) {
            sub.request(10);
          }

          @Override
          public void onNext(JsonNode item) {}

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onComplete() {}
        });
  }

  @Test
  void aPublishedItemThatIsNotJsonEndsTheStream() throws Exception {
    RemoteException e = streamFailure("publishedNan");
    assertThat(e.type()).isEqualTo("NotSerializable");
    assertThat(e.failure().message())
        .isEqualTo(
            "cannot send the stream item of dev.braid.it.JavaFuncs#publishedNan as JSON: $ is NaN");
  }

  @Test
  void aFutureItemThatIsNotJsonEndsTheStream() throws Exception {
    RemoteException e = streamFailure("laterNan");
    assertThat(e.type()).isEqualTo("NotSerializable");
    assertThat(e.failure().message())
        .isEqualTo(
            "cannot send the stream item of dev.braid.it.JavaFuncs#laterNan as JSON: $ is NaN");
  }
}
