package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile inline workflows and request JSON are refused with INVALID_ARGUMENT and a located
 * message, quickly, and the server goes on serving.
 */
@Timeout(120)
class ServerLimitsTest {
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

  private static String refused(ThrowingCallable call) {
    Throwable t = catchThrowable(call);
    assertThat(t).isInstanceOf(StatusRuntimeException.class);
    StatusRuntimeException e = (StatusRuntimeException) t;
    assertThat(e.getStatus().getCode()).as(e.getMessage()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    return e.getStatus().getDescription();
  }

  private static String inline(String definition, String input) {
    return refused(
        () ->
            stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                .runWorkflow(
                    RunWorkflowRequest.newBuilder()
                        .setDefinition(definition)
                        .setInputJson(input)
                        .build())
                .hasNext());
  }

  @Test
  void anInlineAliasBombIsInvalidArgument() {
    StringBuilder sb = new StringBuilder("steps:\n  s:\n    call: python:server_funcs:add\n");
    sb.append("    args:\n      - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i <= 9; i++) {
      sb.append("      - &a").append(i).append(" [");
      for (int j = 0; j < 9; j++) {
        sb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      sb.append("]\n");
    }
    assertThat(inline(sb.toString(), ""))
        .matches(
            "invalid workflow:\ninline:\\d+:\\d+: error: the file holds more than 100000 values"
                + " once its YAML aliases are expanded \\(an alias bomb\\?\\)");
  }

  @Test
  void aFiveThousandTermExpressionIsInvalidArgumentNotInternal() {
    String sum = "1" + " + 1".repeat(999);
    String yaml =
        "steps:\n  s:\n    call: python:server_funcs:add\n    args: [\"${{ " + sum + " }}\", 1]\n";
    assertThat(inline(yaml, ""))
        .isEqualTo(
            "invalid workflow:\ninline:4:271: error: the expression is nested more than 64 levels"
                + " deep");
  }

  @Test
  void deepRequestJsonIsInvalidArgument() {
    String yaml =
        "input: { x: any }\nsteps:\n  s: { call: python:server_funcs:add, args: [1, 2] }\n";
    String deep = "{\"x\": " + "[".repeat(500) + "]".repeat(500) + "}";
    assertThat(inline(yaml, deep))
        .isEqualTo("input_json is nested more than 100 levels deep (arrays and objects)");
    assertThat(
            refused(
                () ->
                    stub.invoke(
                        InvokeRequest.newBuilder()
                            .setFunction("python:server_funcs:add")
                            .setArgsJson("[" + "[".repeat(500) + "]".repeat(500) + "]")
                            .build())))
        .isEqualTo("args_json is nested more than 100 levels deep (arrays and objects)");
  }

  @Test
  void anInlineWorkflowCannotReadAServerFileAsItsScript() {
    String yaml = "steps:\n  s:\n    script: {lang: python, file: /etc/passwd}\n";
    assertThat(inline(yaml, ""))
        .contains("inline:3:")
        .contains("script file '/etc/passwd': an inline workflow cannot read files on the server");
  }

  @Test
  void aNamedWorkflowReadsScriptFilesOnlyFromItsFolder() throws Exception {
    Path flow = TestServer.FLOWS.resolve("reads_outside.yaml");
    Files.writeString(flow, "steps:\n  s:\n    script: {lang: python, file: /etc/passwd}\n");
    try {
      String why =
          refused(
              () ->
                  stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                      .runWorkflow(RunWorkflowRequest.newBuilder().setName("reads_outside").build())
                      .hasNext());
      assertThat(why).contains("outside the workflows folder").doesNotContain("root:");
    } finally {
      Files.deleteIfExists(flow);
    }
  }
}
