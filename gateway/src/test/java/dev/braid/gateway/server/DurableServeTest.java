package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.gateway.cli.Main;
import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.EventStatus;
import dev.braid.proto.api.v1.EventType;
import dev.braid.proto.api.v1.GetRunRequest;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunInfo;
import dev.braid.proto.api.v1.RunState;
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
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code braid serve} as a real process on a SQLite store, killed with SIGKILL in the middle of a
 * run a client started: the next {@code braid serve} on the store resumes the run (the completed
 * step is not run again, the one in flight runs again with the next attempt), and GetRun/WatchRun
 * show it and a run that finished before the kill. {@link PostgresDurableServeTest} does the same
 * on PostgreSQL.
 */
@Timeout(300)
class DurableServeTest {
  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path folder;
  private final List<Serve> started = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  /** The store the servers of one test share. */
  String location() {
    return folder.resolve("braid.db").toString();
  }

  /** One {@code braid serve} process and what it printed. */
  private record Serve(Process process, int port, List<String> log) {}

  @AfterEach
  void killLeftovers() {
    channels.forEach(ManagedChannel::shutdownNow);
    for (Serve s : started) {
      s.process().toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      s.process().destroyForcibly();
    }
  }

  private static List<String> java(String... args) {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.add("-cp");
    cmd.add(cp);
    cmd.add("-Dbraid.home=" + System.getProperty("braid.home"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }

  private Serve serve(String location) throws Exception {
    Path tokens = folder.resolve("tokens");
    if (!Files.exists(tokens)) {
      Files.writeString(tokens, TestServer.TOKEN + " run,invoke\n");
    }
    ProcessBuilder pb =
        new ProcessBuilder(
                java(
                    "serve",
                    "--listen",
                    "127.0.0.1:0",
                    "--token-file",
                    tokens.toString(),
                    "--workflows",
                    DurableServerContract.FLOWS.toString(),
                    "--warm",
                    "python",
                    "--store",
                    location,
                    "--drain",
                    "1s"))
            .redirectErrorStream(true);
    // the test JVM's surefire environment says BRAID_STORE=memory; --store wins over it anyway
    pb.environment().remove("BRAID_STORE");
    Process p = pb.start();
    List<String> log = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
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
    Serve s = new Serve(p, port.get(120, TimeUnit.SECONDS), log);
    started.add(s);
    assertThat(s.port()).as("the server started: %s", log).isPositive();
    return s;
  }

  /** SIGKILL to the server, and to its workers (so no orphan runs a step on). */
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

  private static String start(BraidGrpc.BraidBlockingStub stub, String workflow, Path marks) {
    return stub.startWorkflow(
            StartWorkflowRequest.newBuilder()
                .setName(workflow)
                .setInputJson("{\"folder\": " + JSON.valueToTree(marks.toString()) + "}")
                .build())
        .getRunId();
  }

  private static List<RunEvent> watch(BraidGrpc.BraidBlockingStub stub, String id, long from) {
    List<RunEvent> out = new ArrayList<>();
    stub.watchRun(WatchRunRequest.newBuilder().setRunId(id).setFromSeq(from).build())
        .forEachRemaining(out::add);
    return out;
  }

  private static List<Long> seqs(List<RunEvent> events) {
    return events.stream().map(RunEvent::getSeq).toList();
  }

  private static List<Long> range(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  private static List<String> calls(Path marks, String tag) throws IOException {
    Path f = marks.resolve(tag + ".calls");
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  @Test
  void aServedRunSurvivesKill9OfTheServerAndTheNextServerFinishesIt() throws Exception {
    Path marks = Files.createDirectory(folder.resolve("marks"));
    String location = location();
    Serve first = serve(location);
    BraidGrpc.BraidBlockingStub stub = stub(first);

    String quick = start(stub, "quick", marks);
    List<RunEvent> quickEvents = watch(stub, quick, 0);
    assertThat(quickEvents.get(quickEvents.size() - 1).getStatus())
        .isEqualTo(EventStatus.EVENT_STATUS_OK);

    String gated = start(stub, "gated", marks);
    assertThat(TestServer.await(marks.resolve("gate.started"), Duration.ofSeconds(60))).isTrue();
    // the attempt of the step in flight is journaled before it is sent: seen live here
    Iterator<RunEvent> live = stub.watchRun(WatchRunRequest.newBuilder().setRunId(gated).build());
    RunEvent e;
    do {
      e = live.next();
    } while (!(e.getType() == EventType.EVENT_TYPE_ATTEMPT_STARTED && e.getStep().equals("gate")));

    kill9(first);
    Files.writeString(marks.resolve("release"), "go");

    Serve second = serve(location);
    BraidGrpc.BraidBlockingStub again = stub(second);
    List<RunEvent> all = watch(again, gated, 0);
    assertThat(seqs(all)).isEqualTo(range(0, all.size()));
    RunEvent outcome = all.get(all.size() - 1);
    assertThat(outcome.getType()).isEqualTo(EventType.EVENT_TYPE_RUN_FINISHED);
    assertThat(outcome.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);
    assertThat(outcome.getResultJson()).isEqualTo("\"last\"");
    assertThat(calls(marks, "first")).containsExactly("1");
    assertThat(calls(marks, "gate")).containsExactly("1", "2");
    assertThat(calls(marks, "last")).containsExactly("1");
    assertThat(String.join("\n", second.log())).contains("resumed run " + gated);

    RunInfo info = again.getRun(GetRunRequest.newBuilder().setRunId(gated).build());
    assertThat(info.getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
    assertThat(info.getNextSeq()).isEqualTo(all.size());
    // a reconnecting client asks from the next event it wants
    assertThat(seqs(watch(again, gated, 3))).isEqualTo(range(3, all.size()));

    // the run that finished before the kill is still there, events and all
    RunInfo q = again.getRun(GetRunRequest.newBuilder().setRunId(quick).build());
    assertThat(q.getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
    assertThat(q.getResultJson()).isEqualTo("\"quick\"");
    List<RunEvent> quickAfter = watch(again, quick, 0);
    assertThat(seqs(quickAfter)).isEqualTo(seqs(quickEvents));
    assertThat(quickAfter.stream().map(RunEvent::getType).toList())
        .isEqualTo(quickEvents.stream().map(RunEvent::getType).toList());
    assertThat(calls(marks, "quick")).containsExactly("1");

    // SIGTERM: a clean exit
    new ProcessBuilder("kill", "-TERM", Long.toString(second.process().pid())).start().waitFor();
    assertThat(second.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * {@code braid signal} from another process reaches a run of the server that holds the SQLite
   * store (through the store's socket). On PostgreSQL a client signals through SignalRun instead.
   */
  @Test
  void braidSignalReachesARunOfTheServerHoldingTheStore() throws Exception {
    Path marks = Files.createDirectory(folder.resolve("marks"));
    String location = location();
    Serve s = serve(location);
    BraidGrpc.BraidBlockingStub stub = stub(s);
    String id = start(stub, "approval", marks);
    assertThat(TestServer.await(marks.resolve("asked.calls"), Duration.ofSeconds(60))).isTrue();

    ProcessBuilder pb =
        new ProcessBuilder(java("signal", id, "approve", "{\"ok\": true}", "--store", location))
            .redirectErrorStream(true);
    pb.environment().remove("BRAID_STORE");
    Process signal = pb.start();
    String out = new String(signal.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(signal.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(signal.exitValue()).as(out).isZero();

    List<RunEvent> events = watch(stub, id, 0);
    RunEvent outcome = events.get(events.size() - 1);
    assertThat(outcome.getStatus()).isEqualTo(EventStatus.EVENT_STATUS_OK);
    assertThat(outcome.getResultJson()).isEqualTo("{\"ok\":true}");
    assertThat(calls(marks, "done")).containsExactly("1");
  }
}
