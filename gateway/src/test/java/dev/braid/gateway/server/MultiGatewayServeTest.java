package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.cli.Main;
import dev.braid.gateway.store.PostgresServer;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.CancelRunRequest;
import dev.braid.proto.api.v1.EventStatus;
import dev.braid.proto.api.v1.EventType;
import dev.braid.proto.api.v1.GetRunRequest;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunInfo;
import dev.braid.proto.api.v1.RunState;
import dev.braid.proto.api.v1.SignalRunRequest;
import dev.braid.proto.api.v1.StartWorkflowRequest;
import dev.braid.proto.api.v1.WatchRunRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two {@code braid serve} processes, each with its own workers, sharing one real PostgreSQL
 * (docs/durability.md, "Several gateways"): one is killed with SIGKILL while it runs runs, and the
 * other takes them over within the lease plus a bound — every run finishes exactly once, and no
 * step that had completed runs again. Cancels and signals sent to one gateway reach runs the other
 * runs.
 */
@Timeout(300)
class MultiGatewayServeTest {
  private static final Logger log = LoggerFactory.getLogger(MultiGatewayServeTest.class);
  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Path FLOWS =
      Path.of("src/test/java/dev/braid/gateway/server/fixtures/multi").toAbsolutePath();
  private static final Duration LEASE = Duration.ofSeconds(3);

  /**
   * What takeover may take beyond the lease: a poll, the claim, replay, a call to a warm worker.
   */
  private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(20);

  @TempDir Path folder;
  private Path marks;
  private String location;
  private final List<Serve> started = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  private record Serve(String id, Process process, int port, List<String> log) {}

  @BeforeEach
  void store() throws IOException {
    location = PostgresServer.freshDatabase();
    marks = Files.createDirectory(folder.resolve("marks"));
  }

  @AfterEach
  void killLeftovers() {
    channels.forEach(ManagedChannel::shutdownNow);
    for (Serve s : started) {
      s.process().toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      s.process().destroyForcibly();
    }
  }

  private Serve serve(String gatewayId) throws Exception {
    Path tokens = folder.resolve("tokens");
    if (!Files.exists(tokens)) {
      Files.writeString(tokens, TestServer.TOKEN + " run,invoke\n");
    }
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
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
                FLOWS.toString(),
                "--warm",
                "python",
                "--store",
                location,
                "--gateway-id",
                gatewayId,
                "--lease",
                LEASE.toSeconds() + "s",
                "--drain",
                "1s"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("BRAID_STORE");
    Process p = pb.start();
    List<String> lines = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
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
    Serve s = new Serve(gatewayId, p, port.get(120, TimeUnit.SECONDS), lines);
    started.add(s);
    assertThat(s.port()).as("the server started: %s", lines).isPositive();
    return s;
  }

  private static void kill9(Serve s) throws InterruptedException {
    List<ProcessHandle> tree = s.process().toHandle().descendants().toList();
    s.process().destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    assertThat(s.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    for (ProcessHandle h : tree) {
      h.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    }
  }

  private BraidGrpc.BraidBlockingStub stub(Serve s) {
    ManagedChannel c =
        NettyChannelBuilder.forAddress("127.0.0.1", s.port())
            .usePlaintext()
            .intercept(TestServer.bearer(TestServer.TOKEN))
            .build();
    channels.add(c);
    return BraidGrpc.newBlockingStub(c).withDeadlineAfter(120, TimeUnit.SECONDS);
  }

  private String start(
      BraidGrpc.BraidBlockingStub stub, String workflow, String tag, Boolean hold) {
    ObjectNode input = JSON.createObjectNode().put("folder", marks.toString()).put("tag", tag);
    if (hold != null) {
      input.put("hold", hold);
    }
    return stub.startWorkflow(
            StartWorkflowRequest.newBuilder()
                .setName(workflow)
                .setInputJson(input.toString())
                .build())
        .getRunId();
  }

  private static List<RunEvent> watch(BraidGrpc.BraidBlockingStub stub, String id) {
    List<RunEvent> out = new ArrayList<>();
    stub.watchRun(WatchRunRequest.newBuilder().setRunId(id).build()).forEachRemaining(out::add);
    return out;
  }

  private List<String> calls(String tag) throws IOException {
    Path f = marks.resolve(tag + ".calls");
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  /** Waits (bounded) until {@code tag} has been called {@code n} times. */
  private void awaitCalls(String tag, int n, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (calls(tag).size() < n) {
      assertThat(System.nanoTime() - deadline)
          .as("%s called %d times within %s: %s", tag, n, max, calls(tag))
          .isNegative();
      Thread.sleep(50);
    }
  }

  @Test
  void runsOfAKilledGatewayAreTakenOverAndEveryRunFinishesExactlyOnce() throws Exception {
    Serve a = serve("gw-a");
    Serve b = serve("gw-b");
    // by id: a Serve's log grows, so it is no map key
    Map<String, BraidGrpc.BraidBlockingStub> stubs = Map.of(a.id(), stub(a), b.id(), stub(b));

    // 8 runs finish before the kill, on both gateways
    Map<String, String> done = new LinkedHashMap<>(); // tag -> run id
    for (int i = 0; i < 8; i++) {
      Serve on = i % 2 == 0 ? a : b;
      String tag = "done" + i;
      done.put(tag, start(stubs.get(on.id()), "shared", tag, false));
    }
    for (Map.Entry<String, String> e : done.entrySet()) {
      List<RunEvent> events = watch(stubs.get(b.id()), e.getValue());
      assertThat(events.get(events.size() - 1).getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);
    }
    // 12 more are held in their middle step when gateway a is killed
    Map<String, String> heldOnA = new LinkedHashMap<>();
    Map<String, String> heldOnB = new LinkedHashMap<>();
    for (int i = 0; i < 12; i++) {
      Serve on = i % 2 == 0 ? a : b;
      String tag = "held" + i;
      (on == a ? heldOnA : heldOnB).put(tag, start(stubs.get(on.id()), "shared", tag, true));
    }
    for (int i = 0; i < 12; i++) {
      assertThat(
              TestServer.await(marks.resolve("held-held" + i + ".started"), Duration.ofSeconds(60)))
          .as("held%d started", i)
          .isTrue();
    }

    kill9(a);
    long killed = System.nanoTime();
    Files.writeString(marks.resolve("release"), "go");

    // a's runs run their held step again, on b, once a's lease expired and b fenced it
    for (String tag : heldOnA.keySet()) {
      awaitCalls("held-" + tag, 2, LEASE.plus(TAKEOVER_BOUND));
    }
    Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
    log.info(
        "takeover of {} runs after SIGKILL: {} ms (lease {})",
        heldOnA.size(),
        takeover.toMillis(),
        LEASE);
    assertThat(takeover).isLessThan(LEASE.plus(TAKEOVER_BOUND));

    Map<String, String> all = new LinkedHashMap<>(done);
    all.putAll(heldOnA);
    all.putAll(heldOnB);
    assertThat(all).hasSize(20);
    for (Map.Entry<String, String> e : all.entrySet()) {
      String tag = e.getKey();
      List<RunEvent> events = watch(stubs.get(b.id()), e.getValue());
      List<RunEvent> ends =
          events.stream().filter(x -> x.getType() == EventType.EVENT_TYPE_RUN_FINISHED).toList();
      assertThat(ends).as("run %s finished once", tag).hasSize(1);
      assertThat(ends.get(0).getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);
      assertThat(ends.get(0).getResultJson()).isEqualTo("\"" + tag + "\"");
      RunInfo info =
          stubs.get(b.id()).getRun(GetRunRequest.newBuilder().setRunId(e.getValue()).build());
      assertThat(info.getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
      // a completed step never runs again; the last step runs once, whoever ran the run
      assertThat(calls("first-" + tag)).as("first-%s", tag).containsExactly("1");
      assertThat(calls("last-" + tag)).as("last-%s", tag).containsExactly("1");
      assertThat(calls("held-" + tag))
          .as("held-%s", tag)
          .containsExactlyElementsOf(heldOnA.containsKey(tag) ? List.of("1", "2") : List.of("1"));
    }
    String bLog = String.join("\n", b.log());
    assertThat(bLog).contains("fenced gateways whose lease expired: [gw-a]");
    for (String id : heldOnA.values()) {
      assertThat(bLog).contains("resumed run " + id);
    }
  }

  @Test
  void cancelAndSignalSentToOneGatewayReachRunsTheOtherRuns() throws Exception {
    Serve a = serve("gw-a");
    Serve b = serve("gw-b");
    BraidGrpc.BraidBlockingStub onA = stub(a);
    BraidGrpc.BraidBlockingStub onB = stub(b);
    String signalled = start(onA, "waiting", "s", null);
    String cancelled = start(onA, "waiting", "c", null);
    awaitCalls("asked-s", 1, Duration.ofSeconds(60));
    awaitCalls("asked-c", 1, Duration.ofSeconds(60));

    onB.signalRun(
        SignalRunRequest.newBuilder()
            .setRunId(signalled)
            .setName("approve")
            .setPayloadJson("{\"ok\": true}")
            .build());
    onB.cancelRun(CancelRunRequest.newBuilder().setRunId(cancelled).build());

    // both ended by gateway a, which runs them; watched through gateway b (from the store)
    List<RunEvent> s = watch(onB, signalled);
    RunEvent sEnd = s.get(s.size() - 1);
    assertThat(sEnd.getType()).isEqualTo(EventType.EVENT_TYPE_RUN_FINISHED);
    assertThat(sEnd.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);
    assertThat(sEnd.getResultJson()).isEqualTo("{\"ok\":true}");
    assertThat(calls("done-s")).containsExactly("1");

    List<RunEvent> c = watch(onB, cancelled);
    RunEvent cEnd = c.get(c.size() - 1);
    assertThat(cEnd.getType()).isEqualTo(EventType.EVENT_TYPE_RUN_FINISHED);
    assertThat(cEnd.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_CANCELLED);
    assertThat(calls("done-c")).isEmpty();
    assertThat(onA.getRun(GetRunRequest.newBuilder().setRunId(cancelled).build()).getState())
        .isEqualTo(RunState.RUN_STATE_CANCELLED);
    assertThat(onB.getRun(GetRunRequest.newBuilder().setRunId(signalled).build()).getState())
        .isEqualTo(RunState.RUN_STATE_SUCCEEDED);
    // neither was taken over: a still runs (and ran) them
    assertThat(String.join("\n", b.log())).doesNotContain("resumed run");
  }
}
