package dev.braid.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.braid.api.BraidConfig;
import dev.braid.internal.hub.CallListener;
import dev.braid.internal.hub.WorkerConnection;
import dev.braid.internal.hub.WorkerHubServer;
import dev.braid.proto.worker.v1.GatewayFrame;
import dev.braid.proto.worker.v1.Heartbeat;
import dev.braid.proto.worker.v1.Invoke;
import dev.braid.proto.worker.v1.Outcome;
import dev.braid.proto.worker.v1.Payload;
import dev.braid.proto.worker.v1.StreamItem;
import dev.braid.proto.worker.v1.Welcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java worker process takes its cancel grace from the gateway's Welcome: a real worker process
 * against a real hub, the test playing the gateway frame by frame. The grace sent is far longer
 * than the worker's 1 s fallback, and the call outlives the fallback: the difference shows in how
 * the call ends, not in how fast. Public: the worker calls {@link #stubbornMarked} reflectively.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class JavaWorkerWelcomeTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path markers;
  private final WorkerHubServer hub = WorkerHubServer.start(2 << 20);
  private WorkerProcess process;

  @AfterEach
  void stop() {
    if (process != null) {
      process.killTree();
    }
    hub.close();
  }

  /** Ignores interrupts for {@code seconds} after saying it started: a call cancel cannot end. */
  public static String stubbornMarked(String folder, double seconds) throws Exception {
    Files.writeString(Path.of(folder, "started"), "");
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
    return "done";
  }

  @Test
  void cancelGraceFromWelcomeLetsACallOutliveTheFallback() throws Exception {
    WorkerConnection conn = startWorker();
    conn.send(
        GatewayFrame.newBuilder()
            .setWelcome(
                Welcome.newBuilder()
                    .setMaxPayloadBytes(1 << 20)
                    .setGraceMs(2000)
                    .setCancelGraceMs(30_000))
            .build());
    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    long id = conn.register(new Recorder(outcome));
    String args = "[\"" + markers + "\", 2.0]";
    conn.send(
        GatewayFrame.newBuilder()
            .setInvoke(
                Invoke.newBuilder()
                    .setCallId(id)
                    .setFunction(JavaWorkerWelcomeTest.class.getName() + "#stubbornMarked")
                    .setArgs(
                        Payload.newBuilder()
                            .setEncoding("json")
                            .setData(ByteString.copyFrom(args, StandardCharsets.UTF_8)))
                    .setAttempt(1))
            .build());
    await().atMost(WAIT).until(() -> Files.exists(markers.resolve("started")) || outcome.isDone());
    assertThat(outcome).as("ended before it started: %s", outcome.getNow(null)).isNotDone();

    // 100 ms of grace, then the cancel; past the 1 s fallback the call would be abandoned
    conn.shutdown(100, "shutdown");

    Outcome o = outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(o.hasFailure()).as("%s", o.getFailure()).isFalse();
    assertThat(o.getValue().getData().toStringUtf8()).isEqualTo("\"done\"");
    assertThat(process.onExit()).succeedsWithin(WAIT);
  }

  private WorkerConnection startWorker() throws Exception {
    BraidConfig config = BraidConfig.builder().javaInProcess(false).build();
    JavaLauncher launcher = new JavaLauncher(config);
    CompletableFuture<WorkerConnection> connected = new CompletableFuture<>();
    hub.expect("java-1", "token-1", connected::complete);
    process =
        WorkerProcess.start(
            "java-1",
            launcher.command(),
            launcher.environment("java-1", "token-1", hub.socketPath().toString()),
            config.workingDirectory());
    return connected.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Keeps the call's outcome. */
  private record Recorder(CompletableFuture<Outcome> outcome) implements CallListener {
    @Override
    public void onItem(StreamItem item) {}

    @Override
    public void onOutcome(Outcome o) {
      outcome.complete(o);
    }

    @Override
    public void onHeartbeat(Heartbeat heartbeat) {}

    @Override
    public void onLost(String why) {
      outcome.completeExceptionally(new IllegalStateException("lost: " + why));
    }
  }
}
