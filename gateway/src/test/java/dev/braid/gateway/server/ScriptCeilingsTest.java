package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.sandbox.SandboxConfig;
import dev.braid.gateway.sandbox.SandboxUnavailableException;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.ExecuteScriptRequest;
import dev.braid.proto.api.v1.ExecuteScriptResponse;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import dev.braid.proto.api.v1.ScriptVerdict;
import dev.braid.proto.api.v1.Verdict;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ExecuteScript's limits are bounded by the server's ceilings ({@code --max-script-*}): a request
 * above one is refused before any sandbox starts, naming the ceiling and its option; a result that
 * does not fit in one message is an {@code OUTPUT_LIMIT} verdict, not a message the client rejects.
 */
@Timeout(120)
class ScriptCeilingsTest {
  static final int MESSAGE = 64 << 10;
  static final ScriptCeilings CEILINGS =
      new ScriptCeilings(Duration.ofSeconds(20), Duration.ofSeconds(5), 512, 256 << 10);

  static Sandbox sandbox;
  static TestServer ts;
  static BraidGrpc.BraidBlockingStub stub;

  @BeforeAll
  static void start() throws Exception {
    try {
      sandbox = Sandbox.create(SandboxConfig.builder().poolSize(0).build());
    } catch (SandboxUnavailableException e) {
      assumeTrue(false, "no sandbox on this machine: " + e.getMessage());
    }
    ts =
        TestServer.start(
            TestServer.FLOWS, b -> b.maxMessageBytes(MESSAGE).scriptCeilings(CEILINGS), sandbox);
    stub = ts.blocking();
  }

  @AfterAll
  static void stop() {
    if (ts != null) {
      ts.close();
    }
    if (sandbox != null) {
      sandbox.close();
    }
  }

  private static ExecuteScriptRequest.Builder python(String code) {
    return ExecuteScriptRequest.newBuilder().setLang("python").setCode(code);
  }

  private static final String RETURNS_ONE = "def main(inp):\n    return 1\n";

  private static Status refusal(ExecuteScriptRequest req) {
    Throwable t = catchThrowable(() -> stub.executeScript(req).forEachRemaining(r -> {}));
    return Status.fromThrowable(t);
  }

  private static ScriptVerdict verdict(ExecuteScriptRequest req) {
    List<ExecuteScriptResponse> rs = new ArrayList<>();
    stub.executeScript(req).forEachRemaining(rs::add);
    ExecuteScriptResponse last = rs.get(rs.size() - 1);
    assertThat(last.hasVerdict()).as("the last message is the verdict").isTrue();
    return last.getVerdict();
  }

  @Test
  void outputAboveTheCeilingIsRefusedNamingTheOption() {
    Status s = refusal(python(RETURNS_ONE).setMaxOutputBytes(1L << 40).build());
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription())
        .contains("'max_output_bytes' of 1099511627776 bytes")
        .contains("ceiling of 262144 bytes")
        .contains("--max-script-output");
  }

  @Test
  void outputThatWrapsToNegativeAsASignedNumberIsRefusedToo() {
    // uint64 max reads as -1 in Java: it must not pass as "unset"
    Status s = refusal(python(RETURNS_ONE).setMaxOutputBytes(-1L).build());
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains("18446744073709551615").contains("--max-script-output");
  }

  @Test
  void timeoutAboveTheCeilingIsRefusedNamingTheOption() {
    Status s =
        refusal(
            python(RETURNS_ONE)
                .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(3600))
                .build());
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains("'timeout'").contains("--max-script-timeout");
  }

  @Test
  void memoryAboveTheCeilingIsRefusedNamingTheOption() {
    Status s = refusal(python(RETURNS_ONE).setMemoryMb(4096).build());
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription())
        .contains("'memory_mb' of 4096 MiB")
        .contains("ceiling of 512 MiB")
        .contains("--max-script-memory");
    Status wrapped = refusal(python(RETURNS_ONE).setMemoryMb(-1).build());
    assertThat(wrapped.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(wrapped.getDescription()).contains("4294967295 MiB");
  }

  @Test
  void cpuAboveTheCeilingIsRefusedNamingTheOption() {
    Status s = refusal(python(RETURNS_ONE).setCpuMs(60_000).build());
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains("'cpu_ms' of 60000 ms").contains("--max-script-cpu");
  }

  @Test
  void limitsAtTheCeilingsRun() {
    ScriptVerdict v =
        verdict(
            python(RETURNS_ONE)
                .setMaxOutputBytes(256 << 10)
                .setMemoryMb(512)
                .setCpuMs(5000)
                .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(20))
                .build());
    assertThat(v.getVerdict()).isEqualTo(Verdict.VERDICT_OK);
    assertThat(v.getResultJson()).isEqualTo("1");
  }

  @Test
  void workflowScriptStepsAboveTheCeilingsAreRefusedBeforeTheRunStarts() {
    String flow =
        """
        name: greedy
        steps:
          crunch:
            timeout: 1h
            script:
              lang: python
              memory_mb: 100000
              max_output: 2000000000
              code: |
                def main(inp):
                    return 1
        """;
    Throwable t =
        catchThrowable(
            () ->
                stub.runWorkflow(RunWorkflowRequest.newBuilder().setDefinition(flow).build())
                    .forEachRemaining(e -> {}));
    Status s = Status.fromThrowable(t);
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription())
        .contains("inline.yaml:4:")
        .contains("timeout of 3600s is above this server's ceiling of 20s (--max-script-timeout)")
        .contains("memory_mb of 100000 MiB")
        .contains("--max-script-memory")
        .contains("max_output of 2000000000 bytes")
        .contains("--max-script-output")
        .doesNotContain("/");
  }

  @Test
  void resultLargerThanTheMessageLimitIsAnOutputLimitVerdictSayingWhy() {
    // within the script's output limit (256 KiB) but not within one 64 KiB message
    ScriptVerdict v =
        verdict(
            python("def main(inp):\n    return 'y' * 200000\n")
                .setMaxOutputBytes(256 << 10)
                .build());
    assertThat(v.getVerdict()).isEqualTo(Verdict.VERDICT_OUTPUT_LIMIT);
    assertThat(v.getResultJson()).isEmpty();
    assertThat(v.getFailure().getMessage())
        .contains("the script's result is 200002 bytes")
        .contains("--max-message-bytes " + MESSAGE);
  }
}
