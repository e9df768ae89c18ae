package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.gateway.cli.ServeCommandAccess;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.InvokeResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the server's API, a Java function that calls {@code System.exit} or {@code Runtime.halt}
 * ends only its Java worker process: its call fails {@code UNAVAILABLE}, other clients keep being
 * served, and later Java calls run on a fresh worker.
 */
@Timeout(120)
class JavaWorkerServeTest {
  static final String EXITS =
      """
      public class Exits {
        public static long pid() { return ProcessHandle.current().pid(); }
        public static String echo(String s) { return s; }
        public static void exit(int code) { System.exit(code); }
        public static void halt(int code) { Runtime.getRuntime().halt(code); }
      }
      """;

  @TempDir static Path classes;
  static TestServer ts;
  static BraidGrpc.BraidBlockingStub stub;

  @BeforeAll
  static void start() throws Exception {
    // a user folder with a .java source, as --java-classpath gives it: compiled in the worker
    Files.writeString(classes.resolve("Exits.java"), EXITS);
    ts =
        TestServer.start(
            TestServer.FLOWS,
            b -> b,
            null,
            b -> b.addJavaClasspath(classes).javaInProcess(ServeCommandAccess.javaInProcess()));
    stub = ts.blocking();
  }

  @AfterAll
  static void stop() {
    if (ts != null) {
      ts.close();
    }
  }

  static InvokeResponse invoke(String fn, String args) {
    return stub.withDeadlineAfter(60, TimeUnit.SECONDS)
        .invoke(InvokeRequest.newBuilder().setFunction(fn).setArgsJson(args).build());
  }

  @Test
  void serveRunsJavaFunctionsInAWorkerProcessByDefault() {
    assertThat(ServeCommandAccess.javaInProcess()).isFalse();
    assertThat(ServeCommandAccess.javaInProcess("--java-in-process")).isTrue();
    long pid = Long.parseLong(invoke("java:Exits#pid", "[]").getValueJson());
    assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
  }

  @Test
  void systemExitFailsOnlyItsCall() {
    assertEndsOnlyTheWorker("java:Exits#exit");
  }

  @Test
  void runtimeHaltFailsOnlyItsCall() {
    assertEndsOnlyTheWorker("java:Exits#halt");
  }

  private static void assertEndsOnlyTheWorker(String fn) {
    long before = Long.parseLong(invoke("java:Exits#pid", "[]").getValueJson());

    Status status = null;
    try {
      InvokeResponse r = invoke(fn, "[7]");
      assertThat(r.hasFailure()).as("a failure, not %s", r).isTrue();
    } catch (StatusRuntimeException e) {
      status = e.getStatus();
    }

    assertThat(status).isNotNull();
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription()).contains("java worker");
    // the server still serves: other languages, and Java on a new worker
    assertThat(invoke("python:server_funcs:add", "[20, 22]").getValueJson()).isEqualTo("42");
    assertThat(invoke("java:Exits#echo", "[\"still here\"]").getValueJson())
        .isEqualTo("\"still here\"");
    long after = Long.parseLong(invoke("java:Exits#pid", "[]").getValueJson());
    assertThat(after).isNotEqualTo(before).isNotEqualTo(ProcessHandle.current().pid());
  }
}
