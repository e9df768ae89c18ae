package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.Duration;
import dev.braid.gateway.server.internal.ApiProtos;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.Code;
import dev.braid.proto.api.v1.Failure;
import dev.braid.proto.api.v1.GetRunRequest;
import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.ListFunctionsRequest;
import dev.braid.proto.api.v1.RetryPolicy;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import dev.braid.proto.api.v1.StartWorkflowRequest;
import dev.braid.proto.api.v1.WatchRunRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad requests get the right status and a message that says what is wrong; nothing runs. */
@Timeout(120)
class MalformedRequestTest {
  static TestServer ts;
  static BraidGrpc.BraidBlockingStub stub;

  @BeforeAll
  static void start() throws Exception {
    ts = TestServer.start();
    stub = ts.blocking();
  }

  @AfterAll
  static void stop() {
    if (ts != null) {
      ts.close();
    }
  }

  private static StatusRuntimeException refused(ThrowingCallable call, Status.Code code) {
    Throwable t = catchThrowable(call);
    assertThat(t).isInstanceOf(StatusRuntimeException.class);
    StatusRuntimeException e = (StatusRuntimeException) t;
    assertThat(e.getStatus().getCode()).as(e.getMessage()).isEqualTo(code);
    return e;
  }

  private static InvokeRequest.Builder invoke(String fn) {
    return InvokeRequest.newBuilder().setFunction(fn);
  }

  @Test
  void invokeWithoutAFunction() {
    assertThat(
            refused(() -> stub.invoke(invoke("").build()), Status.Code.INVALID_ARGUMENT)
                .getMessage())
        .contains("'function' is empty");
  }

  @Test
  void invokeWithMalformedReferences() {
    assertThat(
            refused(
                    () -> stub.invoke(invoke("python:nodots").build()),
                    Status.Code.INVALID_ARGUMENT)
                .getMessage())
        .contains("invalid Python function reference 'python:nodots'");
    assertThat(
            refused(() -> stub.invoke(invoke("cobol:x").build()), Status.Code.INVALID_ARGUMENT)
                .getMessage())
        .contains("unknown language 'cobol'");
  }

  @Test
  void invokeWithARetryPolicyOutOfBounds() {
    assertThat(refusedRetry(RetryPolicy.newBuilder().setMaxAttempts(101)))
        .contains("retry.max_attempts must be 1..100, got 101");
    assertThat(refusedRetry(RetryPolicy.newBuilder().setMaxAttempts(-1)))
        .contains("retry.max_attempts must be 1..100, got 4294967295");
    assertThat(refusedRetry(RetryPolicy.newBuilder().setBackoff(Double.NaN)))
        .contains("retry.backoff must be 1..100, got NaN");
    assertThat(refusedRetry(RetryPolicy.newBuilder().setBackoff(0.5)))
        .contains("retry.backoff must be 1..100, got 0.5");
    assertThat(
            refusedRetry(
                RetryPolicy.newBuilder().setInitialInterval(Duration.newBuilder().setSeconds(-1))))
        .contains("retry.initial_interval must be positive");
    assertThat(
            refusedRetry(
                RetryPolicy.newBuilder().setMaxInterval(Duration.newBuilder().setSeconds(7200))))
        .contains("retry.max_interval must be at most 1h");
    assertThat(
            refusedRetry(
                RetryPolicy.newBuilder()
                    .setInitialInterval(Duration.newBuilder().setSeconds(5))
                    .setMaxInterval(Duration.newBuilder().setSeconds(1))))
        .contains("retry.max_interval (1000ms) is shorter than retry.initial_interval (5000ms)");
    RetryPolicy.Builder many = RetryPolicy.newBuilder();
    for (int i = 0; i < 33; i++) {
      many.addRetryOn("E" + i);
    }
    assertThat(refusedRetry(many)).contains("retry.retry_on has 33 names, at most 32");
    assertThat(refusedRetry(RetryPolicy.newBuilder().addNonRetryable("x".repeat(129))))
        .contains("retry.non_retryable names must be 1..128 characters, got 129");
  }

  private static String refusedRetry(RetryPolicy.Builder retry) {
    return refused(
            () -> stub.invoke(invoke("python:server_funcs:add").setRetry(retry).build()),
            Status.Code.INVALID_ARGUMENT)
        .getMessage();
  }

  @Test
  void invokeWithBadJson() {
    assertThat(
            refused(
                    () -> stub.invoke(invoke("python:server_funcs:add").setArgsJson("[1,").build()),
                    Status.Code.INVALID_ARGUMENT)
                .getMessage())
        .contains("args_json is not valid JSON");
    assertThat(
            refused(
                    () -> stub.invoke(invoke("python:server_funcs:add").setArgsJson("{}").build()),
                    Status.Code.INVALID_ARGUMENT)
                .getMessage())
        .contains("args_json must be a JSON array");
    assertThat(
            refused(
                    () ->
                        stub.invoke(invoke("python:server_funcs:add").setKwargsJson("[1]").build()),
                    Status.Code.INVALID_ARGUMENT)
                .getMessage())
        .contains("kwargs_json must be a JSON object");
  }

  @Test
  void invokeWithANonPositiveTimeout() {
    assertThat(
            refused(
                    () ->
                        stub.invoke(
                            invoke("python:server_funcs:add")
                                .setArgsJson("[1, 2]")
                                .setTimeout(Duration.newBuilder().setSeconds(-1))
                                .build()),
                    Status.Code.INVALID_ARGUMENT)
                .getMessage())
        .contains("timeout must be positive");
  }

  @Test
  void invokeOfAnUnknownFunctionCarriesTheFailureRecord() {
    StatusRuntimeException e =
        refused(
            () -> stub.invoke(invoke("python:server_funcs:nope").build()),
            Status.Code.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("nope");
    Failure f = e.getTrailers().get(ApiProtos.FAILURE_TRAILER);
    assertThat(f).isNotNull();
    assertThat(f.getCode()).isEqualTo(Code.INVALID_ARGUMENT);
    assertThat(f.getLanguage()).isEqualTo("python");

    // a module found under no root is refused by the exposure policy, before any worker is asked
    assertThat(
            refused(
                    () -> stub.invoke(invoke("python:no_such_module_here:f").build()),
                    Status.Code.PERMISSION_DENIED)
                .getMessage())
        .contains("no_such_module_here");
  }

  @Test
  void anOversizedMessageIsRefused() {
    String big = "[\"" + "x".repeat(5 << 20) + "\"]";
    assertThat(
            refused(
                    () -> stub.invoke(invoke("python:server_funcs:echo").setArgsJson(big).build()),
                    Status.Code.RESOURCE_EXHAUSTED)
                .getMessage())
        .containsIgnoringCase("exceeds maximum");
    // and the server still serves
    assertThat(
            stub.invoke(invoke("python:server_funcs:add").setArgsJson("[1, 1]").build())
                .getValueJson())
        .isEqualTo("2");
  }

  @Test
  void aRunWithoutAWorkflow() {
    assertThat(
            refused(
                    () -> stub.runWorkflow(RunWorkflowRequest.getDefaultInstance()).hasNext(),
                    Status.Code.INVALID_ARGUMENT)
                .getMessage())
        .contains("no workflow: set 'name'");
    assertThat(
            refused(
                    () -> stub.startWorkflow(StartWorkflowRequest.newBuilder().setName("").build()),
                    Status.Code.INVALID_ARGUMENT)
                .getMessage())
        .contains("'name' is empty");
  }

  @Test
  void anInvalidInlineWorkflowListsEveryProblemWithItsPlace() {
    String yaml =
        """
        steps:
          a: { call: "python:server_funcs:ad", args: [1, 2] }
          b: { call: "python:server_funcs:add", timout: 1s }
          c: { call: "python:server_funcs:add", args: ["${{ steps.zz }}"] }
        """;
    String message =
        refused(
                () ->
                    stub.runWorkflow(RunWorkflowRequest.newBuilder().setDefinition(yaml).build())
                        .hasNext(),
                Status.Code.INVALID_ARGUMENT)
            .getStatus()
            .getDescription();
    assertThat(message)
        .startsWith("invalid workflow:")
        .contains("inline:2:")
        .contains("has no public function 'ad'")
        .contains("inline:3:")
        .contains("unknown key 'timout'")
        .contains("inline:4:")
        .doesNotContain(TestServer.FLOWS.toString());
  }

  @Test
  void aWorkflowThatIsNotYaml() {
    assertThat(
            refused(
                    () ->
                        stub.runWorkflow(
                                RunWorkflowRequest.newBuilder()
                                    .setDefinition("steps: [unclosed")
                                    .build())
                            .hasNext(),
                    Status.Code.INVALID_ARGUMENT)
                .getStatus()
                .getDescription())
        .contains("inline:");
  }

  @Test
  void anInputThatDoesNotFit() {
    assertThat(
            refused(
                    () ->
                        stub.runWorkflow(
                                RunWorkflowRequest.newBuilder()
                                    .setName("greet")
                                    .setInputJson("{\"a\": 1}")
                                    .build())
                            .hasNext(),
                    Status.Code.INVALID_ARGUMENT)
                .getStatus()
                .getDescription())
        .contains("greet.yaml:")
        .contains("name");
    assertThat(
            refused(
                    () ->
                        stub.runWorkflow(
                                RunWorkflowRequest.newBuilder()
                                    .setName("greet")
                                    .setInputJson("[1]")
                                    .build())
                            .hasNext(),
                    Status.Code.INVALID_ARGUMENT)
                .getMessage())
        .contains("input_json must be a JSON object");
  }

  @Test
  void unknownAndInvalidWorkflowNames() {
    assertThat(
            refused(
                    () ->
                        stub.runWorkflow(RunWorkflowRequest.newBuilder().setName("nosuch").build())
                            .hasNext(),
                    Status.Code.NOT_FOUND)
                .getMessage())
        .contains("no workflow 'nosuch'")
        .contains("greet");
    assertThat(
            refused(
                    () ->
                        stub.runWorkflow(
                                RunWorkflowRequest.newBuilder().setName("../../etc/passwd").build())
                            .hasNext(),
                    Status.Code.INVALID_ARGUMENT)
                .getMessage())
        .contains("invalid workflow name");
  }

  @Test
  void unknownRuns() {
    assertThat(
            refused(
                    () -> stub.getRun(GetRunRequest.getDefaultInstance()),
                    Status.Code.INVALID_ARGUMENT)
                .getMessage())
        .contains("'run_id' is empty");
    refused(
        () -> stub.getRun(GetRunRequest.newBuilder().setRunId("run-unknown").build()),
        Status.Code.NOT_FOUND);
    refused(
        () -> stub.watchRun(WatchRunRequest.newBuilder().setRunId("run-unknown").build()).hasNext(),
        Status.Code.NOT_FOUND);
  }

  @Test
  void anUnknownLanguageToList() {
    refused(
        () -> stub.listFunctions(ListFunctionsRequest.newBuilder().setLanguage("cobol").build()),
        Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void nothingWasLeftRunning() throws Exception {
    Thread.sleep(200);
    assertThat(ts.server.stats().inFlight()).isZero();
  }
}
