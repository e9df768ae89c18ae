package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.sandbox.SandboxConfig;
import dev.braid.gateway.sandbox.SandboxUnavailableException;
import dev.braid.gateway.secrets.SecretSources;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.EventStatus;
import dev.braid.proto.api.v1.ExecuteScriptRequest;
import dev.braid.proto.api.v1.ExecuteScriptResponse;
import dev.braid.proto.api.v1.FunctionInfo;
import dev.braid.proto.api.v1.GetRunRequest;
import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.InvokeResponse;
import dev.braid.proto.api.v1.InvokeStreamRequest;
import dev.braid.proto.api.v1.ListFunctionsRequest;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import dev.braid.proto.api.v1.StartWorkflowRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token runs only what the operator exposed: every attack of issue 10 §1 against a real server on
 * real workers is refused with PERMISSION_DENIED before any worker is asked (the marker files the
 * attacks would write stay absent), exposed functions still work, and scopes are enforced.
 */
@Timeout(180)
class ExposureTest {
  static final String RUN_ONLY = "run-only-" + System.nanoTime();
  static final String INVOKE_ONLY = "invoke-only-" + System.nanoTime();
  static final String BARE = "bare-" + System.nanoTime();
  static final String SERVE_SECRET = "serve-secret-" + System.nanoTime();

  @TempDir static Path tmp;
  static Path root;
  static Path outside;
  static Path markers;
  static TestServer ts;
  static BraidGrpc.BraidBlockingStub stub;
  static Sandbox sandbox;

  @BeforeAll
  static void start() throws IOException {
    root = Files.createDirectories(tmp.resolve("flows"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    markers = Files.createDirectories(tmp.resolve("markers"));
    Files.writeString(
        root.resolve("exposed.py"),
        """
        import os
        from os import system
        import braid_worker

        def hello(name):
            return "hi " + name

        def token():
            return os.environ.get("BRAID_TOKEN")

        def initial_environ():
            with open("/proc/self/environ", "rb") as f:
                return f.read().decode("latin-1")

        async def nested(cmd):
            return await braid_worker.call("python:os:system", cmd)

        def secret(name):
            return braid_worker.current().secret(name)
        """);
    Files.writeString(
        root.resolve("with-secret.yaml"),
        """
        name: with-secret
        secrets: [SERVE_TOKEN]
        steps:
          s: { call: "python:exposed:secret", args: ["SERVE_TOKEN"] }
          n: { call: "python:exposed:hello", args: ["${{ secrets.SERVE_TOKEN }}"] }
        output: { s: "${{ steps.s }}", n: "${{ steps.n }}", len: "${{ len(steps.s) }}" }
        """);
    Files.writeString(
        root.resolve("missing-secret.yaml"),
        """
        name: missing-secret
        secrets: { GONE: { file: /run/braid-test-no-such-dir/gone } }
        steps:
          s: { call: "python:exposed:secret", args: ["GONE"] }
        """);
    Files.writeString(
        root.resolve("exposed.mjs"),
        "import { readFileSync } from 'node:fs';\n"
            + "export async function shout(s) { return s.toUpperCase(); }\n"
            + "export const token = () => process.env.BRAID_TOKEN ?? null;\n"
            + "export const initialEnviron = () => readFileSync('/proc/self/environ', 'latin1');\n");
    Files.writeString(
        root.resolve("Exposed.java"),
        "public class Exposed { public static String hello(String n) { return \"hey \" + n; } }\n");
    Files.writeString(
        root.resolve("hello.yaml"),
        """
        name: hello
        steps:
          h: { call: "python:exposed:hello", args: ["ada"] }
        output: "${{ steps.h }}"
        """);
    Files.writeString(
        root.resolve("sneaky.yaml"),
        """
        name: sneaky
        steps:
          s: { call: "python:os:getcwd" }
        output: "${{ steps.s }}"
        """);
    // importing this file writes a marker: a worker that loads it leaves a trace
    Files.writeString(
        outside.resolve("marker.mjs"),
        "import { writeFileSync } from 'node:fs';\n"
            + "writeFileSync("
            + jsString(markers.resolve("node-loaded").toString())
            + ", 'x');\n"
            + "export const f = () => 'outside';\n");
    Files.createSymbolicLink(root.resolve("linked.mjs"), outside.resolve("marker.mjs"));
    try {
      sandbox = Sandbox.create(SandboxConfig.builder().poolSize(0).build());
    } catch (SandboxUnavailableException e) {
      sandbox = null; // only the sandbox test needs it, and says so
    }
    ts =
        TestServer.start(
            root,
            b ->
                b.tokens(List.of(TestServer.TOKEN, RUN_ONLY, INVOKE_ONLY, BARE))
                    .tokenScopes(
                        Map.of(
                            TestServer.TOKEN,
                            EnumSet.allOf(TokenScope.class),
                            RUN_ONLY,
                            EnumSet.of(TokenScope.RUN),
                            INVOKE_ONLY,
                            EnumSet.of(TokenScope.INVOKE)))
                    .secrets(
                        SecretSources.of(Map.of("BRAID_SECRET_SERVE_TOKEN", SERVE_SECRET), null)),
            sandbox);
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

  private static String jsString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static BraidGrpc.BraidBlockingStub as(String token) {
    return BraidGrpc.newBlockingStub(ts.channel(token)).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private static InvokeRequest invoke(String fn, String argsJson) {
    return InvokeRequest.newBuilder().setFunction(fn).setArgsJson(argsJson).build();
  }

  private static String denied(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode())
          .as(e.getMessage())
          .isEqualTo(Status.Code.PERMISSION_DENIED);
      return e.getStatus().getDescription();
    }
    throw new AssertionError("the call was not refused");
  }

  private static String touch(String name) {
    return "[\"touch " + markers.resolve(name) + "\"]";
  }

  // ---- Invoke: each attack refused before any worker is asked

  @Test
  void standardLibraryFunctionsAreRefused() {
    assertThat(denied(() -> stub.invoke(invoke("python:os:system", touch("os-system")))))
        .contains("python:os:system is outside the exposed roots")
        .contains("standard library");
    assertThat(denied(() -> stub.invoke(invoke("python:subprocess:getoutput", touch("getoutput")))))
        .contains("subprocess");
    String eval = "[\"open('" + markers.resolve("eval") + "', 'w').write('x')\"]";
    assertThat(denied(() -> stub.invoke(invoke("python:builtins:eval", eval))))
        .contains("builtins");
    assertThat(denied(() -> stub.invoke(invoke("python:os:getenv", "[\"BRAID_TOKEN\"]"))))
        .contains("os");
    assertThat(markers.resolve("os-system")).doesNotExist();
    assertThat(markers.resolve("getoutput")).doesNotExist();
    assertThat(markers.resolve("eval")).doesNotExist();
  }

  @Test
  void nodeFilesOutsideTheRootsAreNeverLoaded() {
    String abs = outside.resolve("marker.mjs").toString();
    String rel = root.relativize(outside.resolve("marker.mjs")).toString();
    for (String ref :
        List.of(
            "node:" + abs + "#f",
            "node:" + rel + "#f",
            "node:linked.mjs#f",
            "node:file://" + abs + "#f",
            "node:node:child_process#execSync")) {
      assertThat(denied(() -> stub.invoke(invoke(ref, "[]")))).as(ref).contains("outside");
    }
    assertThat(markers.resolve("node-loaded")).doesNotExist();
  }

  @Test
  void jdkAndGatewayClassesAreRefusedAndTheServerLivesOn() {
    assertThat(denied(() -> stub.invoke(invoke("java:java.lang.System#exit", "[3]"))))
        .contains("java.lang.System");
    assertThat(denied(() -> stub.invoke(invoke("java:java.lang.Runtime#halt", "[3]"))))
        .contains("java.lang.Runtime");
    assertThat(stub.invoke(invoke("java:Exposed#hello", "[\"bo\"]")).getValueJson())
        .isEqualTo("\"hey bo\"");
  }

  @Test
  void exposedFunctionsOfEveryLanguageStillWork() {
    assertThat(stub.invoke(invoke("python:exposed:hello", "[\"ada\"]")).getValueJson())
        .isEqualTo("\"hi ada\"");
    assertThat(stub.invoke(invoke("node:exposed.mjs#shout", "[\"ada\"]")).getValueJson())
        .isEqualTo("\"ADA\"");
  }

  @Test
  void aFunctionImportedIntoAnExposedModuleIsRefusedByTheWorker() {
    // the gateway cannot see what a module imports; the worker refuses names it did not define
    for (String ref : List.of("python:exposed:system", "python:exposed:os.system")) {
      assertThatThrownBy(() -> stub.invoke(invoke(ref, touch("imported"))))
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessageContaining("INVALID_ARGUMENT")
          .hasMessageContaining("not defined in exposed");
    }
    assertThat(markers.resolve("imported")).doesNotExist();
  }

  @Test
  void aJavaMethodInheritedFromTheJdkIsRefusedByTheClassLoader() {
    assertThatThrownBy(() -> stub.invoke(invoke("java:Exposed#getClass", "[]")))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining("not a class of the exposed Java classpath");
  }

  @Test
  void invokeStreamIsRefusedToo() {
    assertThat(
            denied(
                () ->
                    stub.invokeStream(
                            InvokeStreamRequest.newBuilder()
                                .setFunction("python:os:system")
                                .setArgsJson(touch("stream"))
                                .build())
                        .hasNext()))
        .contains("outside the exposed roots");
    assertThat(markers.resolve("stream")).doesNotExist();
  }

  @Test
  void nestedCallsFromWorkerFunctionsAreRefused() {
    InvokeResponse r;
    try {
      r = stub.invoke(invoke("python:exposed:nested", touch("nested")));
      assertThat(r.getFailure().getMessage()).contains("outside the exposed roots");
    } catch (StatusRuntimeException e) {
      assertThat(e.getMessage()).contains("outside the exposed roots");
    }
    assertThat(markers.resolve("nested")).doesNotExist();
  }

  @Test
  void theHubTokenIsNotInTheWorkerEnvironment() {
    assertThat(stub.invoke(invoke("python:exposed:token", "[]")).getValueJson()).isEqualTo("null");
    assertThat(stub.invoke(invoke("node:exposed.mjs#token", "[]")).getValueJson())
        .isEqualTo("null");
    // not even in the initial environment the kernel keeps for the process: it came on stdin
    assertThat(stub.invoke(invoke("python:exposed:initial_environ", "[]")).getValueJson())
        .contains("BRAID_WORKER_ID")
        .doesNotContain("BRAID_TOKEN=");
    assertThat(stub.invoke(invoke("node:exposed.mjs#initialEnviron", "[]")).getValueJson())
        .contains("BRAID_WORKER_ID")
        .doesNotContain("BRAID_TOKEN=");
  }

  @Test
  void noBraidSecretReachesASandbox() {
    Assumptions.assumeTrue(sandbox != null, "no sandbox on this machine");
    List<ExecuteScriptResponse> out = new ArrayList<>();
    stub.executeScript(
            ExecuteScriptRequest.newBuilder()
                .setLang("python")
                .setCode("import os\ndef main(inp):\n    return dict(os.environ)\n")
                .build())
        .forEachRemaining(out::add);
    ExecuteScriptResponse last = out.get(out.size() - 1);
    String env = last.getVerdict().getResultJson();
    assertThat(env).as(last.toString()).startsWith("{");
    assertThat(env).doesNotContain("BRAID").doesNotContain(TestServer.TOKEN);
  }

  @Test
  void listFunctionsShowsOnlyExposedFunctions() {
    List<String> refs =
        stub.listFunctions(ListFunctionsRequest.getDefaultInstance()).getFunctionsList().stream()
            .map(FunctionInfo::getReference)
            .toList();
    assertThat(refs).contains("python:exposed:hello");
    // sneaky.yaml made the workers preload os; its functions are still not listed
    assertThat(refs).noneMatch(r -> r.startsWith("python:os:"));
  }

  // ---- workflows

  @Test
  void anInlineWorkflowCannotReachWhatInvokeCannot() {
    String yaml =
        """
        name: inline-attack
        steps:
          s: { call: "python:os:system", args: ["touch %s"] }
        """
            .formatted(markers.resolve("inline"));
    assertThat(
            denied(
                () ->
                    stub.runWorkflow(RunWorkflowRequest.newBuilder().setDefinition(yaml).build())
                        .hasNext()))
        .contains("inline:3:")
        .contains("python:os:system is outside the exposed roots");
    assertThat(markers.resolve("inline")).doesNotExist();
  }

  @Test
  void aNamedWorkflowCallingAnUnexposedFunctionIsRefused() {
    assertThat(
            denied(
                () ->
                    stub.startWorkflow(
                        StartWorkflowRequest.newBuilder().setName("sneaky").build())))
        .contains("sneaky.yaml:3:")
        .contains("python:os:getcwd");
  }

  @Test
  void aNamedWorkflowOfExposedFunctionsRuns() {
    List<RunEvent> events = new ArrayList<>();
    as(RUN_ONLY)
        .runWorkflow(RunWorkflowRequest.newBuilder().setName("hello").build())
        .forEachRemaining(events::add);
    RunEvent last = events.get(events.size() - 1);
    assertThat(last.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);
    assertThat(last.getResultJson()).isEqualTo("\"hi ada\"");
    assertThat(
            as(RUN_ONLY)
                .getRun(GetRunRequest.newBuilder().setRunId(last.getRunId()).build())
                .getRunId())
        .isEqualTo(last.getRunId());
  }

  @Test
  void anInlineWorkflowMayCallTheFoldersWorkflowsByName() {
    List<RunEvent> events = new ArrayList<>();
    stub.runWorkflow(
            RunWorkflowRequest.newBuilder()
                .setDefinition("steps:\n  h: { workflow: hello }\noutput: \"${{ steps.h }}\"\n")
                .build())
        .forEachRemaining(events::add);
    RunEvent last = events.get(events.size() - 1);
    assertThat(last.getStatus()).as(last.toString()).isEqualTo(EventStatus.EVENT_STATUS_OK);
    assertThat(last.getResultJson()).isEqualTo("\"hi ada\"");
  }

  @Test
  void anInlineWorkflowCannotNameAWorkflowFileOutsideTheFolder() throws IOException {
    Files.writeString(
        outside.resolve("evil.yaml"),
        "steps:\n  s: { call: \"python:exposed:hello\", args: [x] }\n");
    Files.createSymbolicLink(root.resolve("evil-link.yaml"), outside.resolve("evil.yaml"));
    for (String ref : List.of("../outside/evil.yaml", outside + "/evil.yaml", "evil-link.yaml")) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  stub.runWorkflow(
                          RunWorkflowRequest.newBuilder()
                              .setDefinition("steps:\n  s: { workflow: \"" + ref + "\" }\n")
                              .build())
                      .hasNext());
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription())
          .contains("inline:2:")
          .contains("outside the workflows folder")
          .as("the server's own folder is never shown")
          .doesNotContain(root.toString());
    }
  }

  @Test
  void aSubWorkflowCallingAnUnexposedFunctionIsRefusedAndNamedInTheFolder() {
    assertThat(
            denied(
                () ->
                    stub.runWorkflow(
                            RunWorkflowRequest.newBuilder()
                                .setDefinition("steps:\n  s: { workflow: sneaky }\n")
                                .build())
                        .hasNext()))
        .contains("sneaky.yaml:3:")
        .contains("python:os:getcwd")
        .doesNotContain(tmp.toString());
  }

  @Test
  void aFolderWorkflowReadsItsSecretAndTheClientSeesItMasked() {
    List<RunEvent> events = new ArrayList<>();
    as(RUN_ONLY)
        .runWorkflow(RunWorkflowRequest.newBuilder().setName("with-secret").build())
        .forEachRemaining(events::add);
    RunEvent last = events.get(events.size() - 1);
    assertThat(last.getStatus()).as(last.toString()).isEqualTo(EventStatus.EVENT_STATUS_OK);
    assertThat(last.getResultJson())
        .isEqualTo("{\"s\":\"***\",\"n\":\"hi ***\",\"len\":" + SERVE_SECRET.length() + "}");
    assertThat(events.toString()).doesNotContain(SERVE_SECRET);
    assertThat(
            as(RUN_ONLY)
                .getRun(GetRunRequest.newBuilder().setRunId(last.getRunId()).build())
                .toString())
        .doesNotContain(SERVE_SECRET);
  }

  @Test
  void aSecretTheServerCannotReadIsReportedWithoutItsPath() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                as(RUN_ONLY)
                    .runWorkflow(RunWorkflowRequest.newBuilder().setName("missing-secret").build())
                    .hasNext());
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .contains(
            "missing-secret.yaml:2:12: error: secret 'GONE' cannot be read on the server (run braid"
                + " check on the server for the details)")
        .doesNotContain("/run/braid-test-no-such-dir");
  }

  @Test
  void anInlineWorkflowMayNotDeclareSecrets() {
    String yaml =
        """
        name: inline-thief
        secrets: [SERVE_TOKEN]
        steps:
          s: { call: "python:exposed:secret", args: ["SERVE_TOKEN"] }
        """;
    assertThat(
            denied(
                () ->
                    stub.runWorkflow(RunWorkflowRequest.newBuilder().setDefinition(yaml).build())
                        .hasNext()))
        .isEqualTo(
            "inline:2:11: error: an inline workflow may not declare secrets (secret"
                + " 'SERVE_TOKEN'): only the workflows of the server's --workflows folder may");
    // and without declaring it, neither the expression nor the context reaches it
    String undeclared =
        """
        name: inline-thief
        steps:
          s: { call: "python:exposed:hello", args: ["${{ secrets.SERVE_TOKEN }}"] }
        """;
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                stub.runWorkflow(RunWorkflowRequest.newBuilder().setDefinition(undeclared).build())
                    .hasNext());
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .contains("inline:3:58: error: secret 'SERVE_TOKEN' is not declared");
  }

  // ---- scopes

  @Test
  void inlineWorkflowsAreOffForBareTokens() {
    String yaml =
        """
        name: inline-ok
        steps:
          h: { call: "python:exposed:hello", args: ["x"] }
        """;
    assertThat(
            denied(
                () ->
                    as(BARE)
                        .runWorkflow(RunWorkflowRequest.newBuilder().setDefinition(yaml).build())
                        .hasNext()))
        .contains("'inline' scope");
    assertThat(
            denied(
                () ->
                    as(BARE)
                        .startWorkflow(
                            StartWorkflowRequest.newBuilder().setDefinition(yaml).build())))
        .contains("'inline' scope");
    // a bare token keeps what it could do before: named runs and Invoke
    assertThat(as(BARE).invoke(invoke("python:exposed:hello", "[\"b\"]")).getValueJson())
        .isEqualTo("\"hi b\"");
  }

  @Test
  void aRunOnlyTokenCannotInvokeListOrRunScripts() {
    assertThat(denied(() -> as(RUN_ONLY).invoke(invoke("python:exposed:hello", "[\"x\"]"))))
        .contains("'invoke' scope");
    assertThat(denied(() -> as(RUN_ONLY).listFunctions(ListFunctionsRequest.getDefaultInstance())))
        .contains("'invoke' scope");
    assertThat(
            denied(
                () -> {
                  Iterator<ExecuteScriptResponse> it =
                      as(RUN_ONLY)
                          .executeScript(
                              ExecuteScriptRequest.newBuilder()
                                  .setLang("python")
                                  .setCode("def main(inp):\n    return 1\n")
                                  .build());
                  it.hasNext();
                }))
        .contains("'script' scope");
  }

  @Test
  void anInvokeOnlyTokenCannotRunOrQueryWorkflows() {
    assertThat(
            denied(
                () ->
                    as(INVOKE_ONLY)
                        .runWorkflow(RunWorkflowRequest.newBuilder().setName("hello").build())
                        .hasNext()))
        .contains("'run' scope");
    assertThat(
            denied(
                () ->
                    as(INVOKE_ONLY)
                        .getRun(
                            GetRunRequest.newBuilder().setRunId("run-" + "0".repeat(32)).build())))
        .contains("'run' scope");
  }
}
