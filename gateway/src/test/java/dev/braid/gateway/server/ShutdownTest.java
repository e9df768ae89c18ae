package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.gateway.cli.Main;
import dev.braid.gateway.server.internal.ApiProtos;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.EventStatus;
import dev.braid.proto.api.v1.EventType;
import dev.braid.proto.api.v1.Failure;
import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.InvokeResponse;
import dev.braid.proto.api.v1.InvokeStreamRequest;
import dev.braid.proto.api.v1.InvokeStreamResponse;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to {@code braid serve} under load: new calls are refused, work that finishes within the
 * drain grace finishes, the rest is cancelled (the workers observe it), the workers are stopped and
 * the process exits, leaving no process behind.
 */
@Timeout(180)
class ShutdownTest {
  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path folder;

  @Test
  void sigtermDrainsCancelsWhatIsLeftAndExitsWithNothingBehind() throws Exception {
    Path tokens = folder.resolve("tokens");
    Files.writeString(tokens, "# test\n" + TestServer.TOKEN + "\n");
    Path marks = Files.createDirectory(folder.resolve("marks"));
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process serve =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                cp,
                "-Dbraid.home=" + System.getProperty("braid.home"),
                Main.class.getName(),
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--token-file",
                tokens.toString(),
                "--workflows",
                TestServer.FLOWS.toString(),
                "--warm",
                "python",
                "--drain",
                "3s",
                "--cancel-grace",
                "3s")
            .redirectErrorStream(true)
            .start();
    List<String> log = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  log.add(line);
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
              port.complete(-1);
            });
    reader.setDaemon(true);
    reader.start();
    ManagedChannel channel = null;
    try {
      int p = port.get(90, TimeUnit.SECONDS);
      assertThat(p).as("the server started: %s", log).isPositive();
      channel = NettyChannelBuilder.forAddress("127.0.0.1", p).usePlaintext().build();
      BraidGrpc.BraidStub stub =
          BraidGrpc.newStub(channel)
              .withInterceptors(TestServer.bearer(TestServer.TOKEN))
              .withDeadlineAfter(120, TimeUnit.SECONDS);

      // load: short calls that fit in the drain grace, a long call and a long run that do not
      List<CompletableFuture<InvokeResponse>> shortCalls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        shortCalls.add(invoke(stub, "short" + i, 1.5, marks));
      }
      CompletableFuture<InvokeResponse> longCall = invoke(stub, "longcall", 60, marks);
      List<RunEvent> runEvents = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> longRun = new CompletableFuture<>();
      stub.runWorkflow(
          RunWorkflowRequest.newBuilder()
              .setName("slow")
              .setInputJson(
                  "{\"folder\": \"" + marks + "\", \"tag\": \"longrun\", \"seconds\": 60}")
              .build(),
          new StreamObserver<>() {
            @Override
            public void onNext(RunEvent e) {
              runEvents.add(e);
            }

            @Override
            public void onError(Throwable t) {
              longRun.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
              longRun.complete(null);
            }
          });
      CompletableFuture<Void> longStream = new CompletableFuture<>();
      stub.invokeStream(
          InvokeStreamRequest.newBuilder()
              .setFunction("python:server_funcs:ticks_marked")
              .setArgsJson("[\"" + marks + "\", \"longstream\", 0.05]")
              .build(),
          new StreamObserver<>() {
            @Override
            public void onNext(InvokeStreamResponse r) {}

            @Override
            public void onError(Throwable t) {
              longStream.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
              longStream.complete(null);
            }
          });
      for (String tag : List.of("short0", "short5", "longcall", "longrun")) {
        assertThat(TestServer.await(marks.resolve(tag + ".started"), Duration.ofSeconds(60)))
            .as("%s started", tag)
            .isTrue();
      }
      List<ProcessHandle> workers = serve.toHandle().descendants().toList();
      assertThat(workers).as("worker processes").isNotEmpty();

      new ProcessBuilder("kill", "-TERM", Long.toString(serve.pid())).start().waitFor();

      // new work is refused at once, and nothing of it runs
      Thread.sleep(300);
      CompletableFuture<InvokeResponse> late =
          invoke(stub, "late", 0, marks).orTimeout(10, TimeUnit.SECONDS);
      assertThat(statusOf(late)).isEqualTo(Status.Code.UNAVAILABLE);

      // work that fits in the drain grace finishes normally
      for (CompletableFuture<InvokeResponse> c : shortCalls) {
        assertThat(c.get(30, TimeUnit.SECONDS).getValueJson()).isEqualTo("\"finished\"");
      }

      // the rest is cancelled with reason shutdown; the client learns it is UNAVAILABLE
      Throwable t = longCall.handle((v, e) -> e).get(30, TimeUnit.SECONDS);
      assertThat(t).isInstanceOf(StatusRuntimeException.class);
      StatusRuntimeException sre = (StatusRuntimeException) t;
      assertThat(sre.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      Failure f = sre.getTrailers().get(ApiProtos.FAILURE_TRAILER);
      assertThat(f.getReason()).isEqualTo("shutdown");
      assertThat(TestServer.awaitText(marks.resolve("longcall.cancelled"), Duration.ofSeconds(10)))
          .isEqualTo("shutdown");

      // the run's stream still ends with its outcome, which says why
      longRun.get(30, TimeUnit.SECONDS);
      RunEvent last = runEvents.get(runEvents.size() - 1);
      assertThat(last.getType()).isEqualTo(EventType.EVENT_TYPE_RUN_FINISHED);
      assertThat(last.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_CANCELLED);
      assertThat(last.getError().getReason()).isEqualTo("shutdown");
      // the functions of a run and of a stream hear the reason too
      assertThat(TestServer.awaitText(marks.resolve("longrun.cancelled"), Duration.ofSeconds(10)))
          .isEqualTo("shutdown");
      Throwable st = longStream.handle((v, e) -> e).get(30, TimeUnit.SECONDS);
      assertThat(Status.fromThrowable(st).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(
              ((StatusRuntimeException) st)
                  .getTrailers()
                  .get(ApiProtos.FAILURE_TRAILER)
                  .getReason())
          .isEqualTo("shutdown");
      assertThat(
              TestServer.awaitText(marks.resolve("longstream.cancelled"), Duration.ofSeconds(10)))
          .isEqualTo("shutdown");

      // the process exits, and no worker survives it
      assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("exited: %s", log).isTrue();
      assertThat(serve.exitValue()).isEqualTo(143);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (workers.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < end) {
        Thread.sleep(50);
      }
      assertThat(workers).noneMatch(ProcessHandle::isAlive);
      assertThat(marks.resolve("late")).doesNotExist();
      assertThat(String.join("\n", log)).contains("shutting down").contains("server stopped");
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      serve.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      serve.destroyForcibly();
    }
  }

  private static CompletableFuture<InvokeResponse> invoke(
      BraidGrpc.BraidStub stub, String tag, double seconds, Path marks) {
    CompletableFuture<InvokeResponse> done = new CompletableFuture<>();
    InvokeRequest req =
        seconds > 0
            ? InvokeRequest.newBuilder()
                .setFunction("python:server_funcs:sleep_marked")
                .setArgsJson("[\"" + marks + "\", \"" + tag + "\", " + seconds + "]")
                .build()
            : InvokeRequest.newBuilder()
                .setFunction("python:server_funcs:touch")
                .setArgsJson("[\"" + marks + "\", \"" + tag + "\"]")
                .build();
    stub.invoke(
        req,
        new StreamObserver<>() {
          @Override
          public void onNext(InvokeResponse r) {
            done.complete(r);
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    return done;
  }

  private static Status.Code statusOf(CompletableFuture<?> f) throws Exception {
    Throwable t = f.handle((v, e) -> e).get(15, TimeUnit.SECONDS);
    return t == null ? Status.Code.OK : Status.fromThrowable(t).getCode();
  }
}
