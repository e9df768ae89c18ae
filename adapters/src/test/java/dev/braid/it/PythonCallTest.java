package dev.braid.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.api.CallOptions;
import dev.braid.api.RemoteCall;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.RemoteException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Success and application failures across Java -> Python -> Java. */
class PythonCallTest extends WorkerTestBase {
  private final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void startBraid() {
    start();
  }

  @Test
  void unicodeNestedObjectsAndLargeListsRoundTrip() throws Exception {
    Map<String, Object> nested =
        Map.of(
            "name",
            "Zoë 🧵 — 東京",
            "tags",
            List.of("a", "b", Map.of("deep", List.of(1, 2.5, true))),
            "empty",
            Map.of(),
            "big",
            9007199254740991L);
    List<Integer> large = IntStream.range(0, 100_000).boxed().toList();

    JsonNode back = value(braid.function("python:itfuncs:echo").call(nested));
    JsonNode backList = value(braid.function("python:itfuncs:echo").call(large));

    assertThat(back).isEqualTo(json.valueToTree(nested));
    assertThat(backList.size()).isEqualTo(100_000);
    assertThat(backList.get(99_999).asInt()).isEqualTo(99_999);
    assertThat(value(braid.function("python:itfuncs:echo").call((Object) null)).isNull()).isTrue();
  }

  @Test
  void payloadsAboveGrpcDefaultMessageSizeRoundTripUnderDefaultLimits() throws Exception {
    String sixMiB = "é".repeat(3 << 20); // 6 MiB of UTF-8, above gRPC's 4 MiB default
    JsonNode back = value(braid.function("python:itfuncs:echo").call(sixMiB));
    assertThat(back.asText()).isEqualTo(sixMiB);
  }

  @Test
  void keywordArgumentsAndSyncFunctions() throws Exception {
    JsonNode r =
        value(
            braid
                .function("python:itfuncs:add")
                .call(List.of(), Map.of("a", 2, "b", 40), CallOptions.DEFAULT));
    assertThat(r.asInt()).isEqualTo(42);
    assertThat(value(braid.function("python:itfuncs:sync_add").call(1, 2)).asInt()).isEqualTo(3);
  }

  @Test
  void pythonExceptionArrivesWithTypeMessageStackAndCauseChain() throws Exception {
    Throwable t = failure(braid.function("python:itfuncs:fail_with_cause").call("bad input"));

    assertThat(t).isInstanceOf(RemoteException.class);
    Failure f = ((RemoteException) t).failure();
    assertThat(f.code()).isEqualTo(FailureCode.APPLICATION);
    assertThat(f.type()).isEqualTo("ValueError");
    assertThat(f.message()).isEqualTo("bad input");
    assertThat(f.language()).isEqualTo("python");
    assertThat(f.stack()).contains("itfuncs.py").contains("fail_with_cause");
    assertThat(f.stack()).as("the worker's own frames are left out").doesNotContain("_runner.py");
    assertThat(f.cause()).isNotNull();
    assertThat(f.cause().type()).isEqualTo("KeyError");
    assertThat(f.cause().message()).contains("missing-key");
    assertThat(f.retryable()).isFalse();
  }

  @Test
  void thousandConcurrentCallsOnOneWorkerAllCompleteCorrectly() throws Exception {
    List<RemoteCall> calls = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      calls.add(braid.function("python:itfuncs:sleep_then").call(0.05, i));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    for (int i = 0; i < 1000; i++) {
      assertThat(calls.get(i).get().asInt()).isEqualTo(i);
    }
    assertThat(braid.workers()).hasSize(1);
  }
}
