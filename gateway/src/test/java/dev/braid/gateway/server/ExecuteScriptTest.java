package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.Duration;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.sandbox.SandboxConfig;
import dev.braid.gateway.sandbox.SandboxUnavailableException;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.ExecuteScriptRequest;
import dev.braid.proto.api.v1.ExecuteScriptResponse;
import dev.braid.proto.api.v1.ScriptVerdict;
import dev.braid.proto.api.v1.Verdict;
import io.grpc.Context;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ExecuteScript: output as it comes, then the verdict; deadlines and cancels kill the sandbox. */
@Timeout(120)
class ExecuteScriptTest {
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
    ts = TestServer.start(TestServer.FLOWS, b -> b, sandbox);
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

  private static List<ExecuteScriptResponse> all(Iterator<ExecuteScriptResponse> it) {
    List<ExecuteScriptResponse> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  private static ScriptVerdict verdict(List<ExecuteScriptResponse> rs) {
    ExecuteScriptResponse last = rs.get(rs.size() - 1);
    assertThat(last.hasVerdict()).as("the last message is the verdict").isTrue();
    return last.getVerdict();
  }

  @Test
  void outputThenTheVerdict() {
    List<ExecuteScriptResponse> rs =
        all(
            stub.executeScript(
                python(
                        """
                        import sys
                        def main(inp):
                            print("hello from the sandbox", flush=True)
                            print("a warning", file=sys.stderr, flush=True)
                            return {"n": inp["n"] * 2}
                        """)
                    .setInputJson("{\"n\": 21}")
                    .build()));
    StringBuilder stdout = new StringBuilder();
    StringBuilder stderr = new StringBuilder();
    for (ExecuteScriptResponse r : rs) {
      if (r.hasStdout()) {
        stdout.append(r.getStdout());
      }
      if (r.hasStderr()) {
        stderr.append(r.getStderr());
      }
    }
    assertThat(stdout.toString()).contains("hello from the sandbox");
    assertThat(stderr.toString()).contains("a warning");
    ScriptVerdict v = verdict(rs);
    assertThat(v.getVerdict()).as("%s", v).isEqualTo(Verdict.VERDICT_OK);
    assertThat(v.getResultJson()).isEqualTo("{\"n\":42}");
  }

  @Test
  void aRaisingScriptIsARuntimeError() {
    ScriptVerdict v =
        verdict(
            all(
                stub.executeScript(
                    python("def main(inp):\n    raise ValueError('nope')\n").build())));
    assertThat(v.getVerdict()).isEqualTo(Verdict.VERDICT_RUNTIME_ERROR);
    assertThat(v.getFailure().getType()).isEqualTo("ValueError");
    assertThat(v.getFailure().getMessage()).isEqualTo("nope");
  }

  @Test
  void theRequestTimeoutIsTheWallClockLimit() {
    ScriptVerdict v =
        verdict(
            all(
                stub.executeScript(
                    python("import time\ndef main(inp):\n    time.sleep(60)\n")
                        .setTimeout(Duration.newBuilder().setSeconds(1))
                        .build())));
    assertThat(v.getVerdict()).isEqualTo(Verdict.VERDICT_WALL_TIME_LIMIT);
  }

  @Test
  void aClientDeadlineOrCancelKillsTheSandbox() throws Exception {
    Throwable t =
        catchThrowable(
            () ->
                all(
                    ts.blocking()
                        .withDeadlineAfter(1500, TimeUnit.MILLISECONDS)
                        .executeScript(
                            python("import time\ndef main(inp):\n    time.sleep(60)\n").build())));
    assertThat(Status.fromThrowable(t).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    awaitNothingInFlight();

    Context.CancellableContext ctx = Context.current().withCancellation();
    Iterator<ExecuteScriptResponse> it =
        ctx.call(
            () ->
                stub.executeScript(
                    python(
                            "import time\n"
                                + "def main(inp):\n"
                                + "    print('up', flush=True)\n"
                                + "    time.sleep(60)\n")
                        .build()));
    assertThat(it.next().getStdout()).contains("up");
    assertThat(ts.server.stats().inFlight()).isEqualTo(1);
    ctx.cancel(null);
    awaitNothingInFlight();
  }

  @Test
  void badRequests() {
    Throwable lang =
        catchThrowable(() -> all(stub.executeScript(python("x = 1").setLang("cobol").build())));
    assertThat(Status.fromThrowable(lang).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(lang).hasMessageContaining("'lang' must be python or js");
    Throwable empty = catchThrowable(() -> all(stub.executeScript(python(" ").build())));
    assertThat(Status.fromThrowable(empty).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    Throwable memory =
        catchThrowable(() -> all(stub.executeScript(python("x = 1").setMemoryMb(1).build())));
    assertThat(Status.fromThrowable(memory).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  private static void awaitNothingInFlight() throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (ts.server.stats().inFlight() > 0 && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(ts.server.stats().inFlight()).as("sandboxes still running").isZero();
  }
}
