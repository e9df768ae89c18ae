package dev.braid.it.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.api.CallOptions;
import dev.braid.api.RemoteCall;
import dev.braid.api.WorkerListener;
import dev.braid.model.RemoteException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standalone Python workers that dial the gateway's worker listener over loopback TCP with TLS:
 * real worker processes, certificates made by the test, every wait bounded.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemoteWorkerTest {
  static final String TOKEN = "edge-pool-token-0123456789abcdef";
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path certDir;
  static TestCerts certs;
  @TempDir Path dir;
  Path tokenFile;
  Braid braid;
  final List<StandaloneWorker> workers = new ArrayList<>();

  @BeforeAll
  static void certificates() throws Exception {
    certs = TestCerts.make(certDir, "127.0.0.1");
  }

  @BeforeEach
  void token() throws Exception {
    tokenFile = dir.resolve("edge.token");
    Files.writeString(tokenFile, TOKEN + "\n");
  }

  @AfterEach
  void stop() throws Exception {
    for (StandaloneWorker w : workers) {
      w.close();
    }
    if (braid != null) {
      braid.close();
    }
  }

  Braid gateway(Path clientCa, Consumer<BraidConfig.Builder> more) {
    BraidConfig.Builder b =
        BraidConfig.builder()
            .addPythonPath(StandaloneWorker.PY_FUNCS)
            .workerListener(
                new WorkerListener(
                    "127.0.0.1",
                    0,
                    certs.serverCert(),
                    certs.serverKey(),
                    clientCa,
                    Map.of("edge", tokenFile),
                    Duration.ofSeconds(1)));
    more.accept(b);
    braid = Braid.start(b.build());
    return braid;
  }

  StandaloneWorker worker(String... extra) throws Exception {
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--connect",
                "127.0.0.1:" + braid.workerListenPort(),
                "--pool",
                "edge",
                "--token-file",
                tokenFile.toString(),
                "--tls-ca",
                certs.caCert().toString(),
                "--preload",
                "itfuncs",
                "--keepalive",
                "1"));
    flags.addAll(List.of(extra));
    StandaloneWorker w = StandaloneWorker.python(dir, List.of(), flags.toArray(String[]::new));
    workers.add(w);
    return w;
  }

  static JsonNode value(RemoteCall call) throws Exception {
    return call.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  static Throwable failure(RemoteCall call) throws Exception {
    try {
      return fail("expected a failure, got " + call.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void aCallReachesAStandaloneWorkerOverTls() throws Exception {
    gateway(null, b -> {});
    StandaloneWorker w = worker();
    RemoteCall call = braid.function("python@edge:itfuncs:add").call(2, 3);
    assertThat(value(call).asInt()).isEqualTo(5);
    // it ran on the standalone worker, not on a worker the gateway started
    assertThat(value(braid.function("python@edge:itfuncs:pid").call()).asLong()).isEqualTo(w.pid());
    assertThat(braid.workers("python")).noneMatch(i -> i.pid() == w.pid());
    assertThat(braid.workers()).anyMatch(i -> i.pid() == w.pid() && i.id().startsWith("edge/"));
  }

  @Test
  void aWrongTokenIsRefusedUnauthenticated() throws Exception {
    gateway(null, b -> {});
    Path wrong = dir.resolve("wrong.token");
    Files.writeString(wrong, "not-the-edge-pool-token-at-all\n");
    StandaloneWorker w =
        StandaloneWorker.python(
            dir,
            List.of(),
            "--connect",
            "127.0.0.1:" + braid.workerListenPort(),
            "--pool",
            "edge",
            "--token-file",
            wrong.toString(),
            "--tls-ca",
            certs.caCert().toString());
    workers.add(w);
    assertThat(w.awaitExit(30)).as(w.output()).isEqualTo(3);
    assertThat(w.output()).contains("UNAUTHENTICATED").doesNotContain("not-the-edge-pool-token");
    assertThat(braid.workers()).isEmpty();
  }

  @Test
  void aWorkerThatDoesNotTrustTheGatewayNeverConnects() throws Exception {
    gateway(null, b -> b.startTimeout(Duration.ofSeconds(3)));
    StandaloneWorker w = worker("--tls-ca", certs.otherCa().toString());
    Throwable t = failure(braid.function("python@edge:itfuncs:add").call(1, 1));
    assertThat(t).isInstanceOf(RemoteException.class).hasMessageContaining("NoWorker");
    assertThat(w.process().isAlive()).as("it keeps dialing with backoff").isTrue();
  }

  @Test
  void mutualTlsAdmitsOnlyAWorkerWithAClientCertificate() throws Exception {
    gateway(certs.caCert(), b -> b.startTimeout(Duration.ofSeconds(3)));
    worker(); // no client certificate: the handshake fails
    Throwable t = failure(braid.function("python@edge:itfuncs:add").call(1, 1));
    assertThat(t).hasMessageContaining("NoWorker");
    worker("--tls-cert", certs.clientCert().toString(), "--tls-key", certs.clientKey().toString());
    assertThat(value(braid.function("python@edge:itfuncs:add").call(1, 1)).asInt()).isEqualTo(2);
  }

  @Test
  void callsGoToTheLeastLoadedWorkerOfThePool() throws Exception {
    // slow pings: on a loaded machine a late pong must not make a lane skip its turn
    gateway(
        null, b -> b.pingInterval(Duration.ofSeconds(5)).livenessTimeout(Duration.ofSeconds(30)));
    StandaloneWorker a = worker("--name", "a");
    StandaloneWorker b = worker("--name", "b");
    await().atMost(WAIT).until(() -> braid.workers().size() == 2);
    RemoteCall first = braid.function("python@edge:itfuncs:slow_pid").call(1.0);
    RemoteCall second = braid.function("python@edge:itfuncs:slow_pid").call(1.0);
    Set<Long> pids = new HashSet<>(List.of(value(first).asLong(), value(second).asLong()));
    assertThat(pids).containsExactlyInAnyOrder(a.pid(), b.pid());
  }

  @Test
  void aNestedCallFromARemoteWorkerReachesALocalWorker() throws Exception {
    gateway(null, b -> {});
    worker();
    RemoteCall call = braid.function("python@edge:itfuncs:call_nested").call("python:itfuncs:pid");
    long localPid = value(call).asLong();
    assertThat(braid.workers("python")).anyMatch(i -> i.pid() == localPid);
  }

  @Test
  void aCancelCascadesAcrossTheLinkToTheNestedCall() throws Exception {
    gateway(null, b -> {});
    worker();
    Path marks = Files.createDirectory(dir.resolve("marks"));
    RemoteCall call =
        braid
            .function("python@edge:itfuncs:nested_marked")
            .call(
                marks.toString(),
                "python:itfuncs:sleep_marked",
                Files.createDirectory(marks.resolve("local")).toString(),
                30);
    await().atMost(WAIT).until(() -> Files.exists(marks.resolve("local/started")));
    call.cancel(true);
    await().atMost(WAIT).until(() -> Files.exists(marks.resolve("py-cancelled")));
    await().atMost(WAIT).until(() -> Files.exists(marks.resolve("local/cancelled")));
  }

  @Test
  void aWorkerThatDiesFailsItsCallsWorkerLostAndAnotherTakesOver() throws Exception {
    gateway(null, b -> {});
    StandaloneWorker w = worker();
    RemoteCall call =
        braid
            .function("python@edge:itfuncs:slow_pid")
            .call(List.of(30), CallOptions.builder().build());
    await().atMost(WAIT).until(() -> braid.workers().stream().anyMatch(i -> i.inFlight() == 1));
    w.kill();
    Throwable t = failure(call);
    assertThat(t).isInstanceOf(RemoteException.class);
    RemoteException re = (RemoteException) t;
    assertThat(re.failure().type()).isEqualTo("WorkerLost");
    assertThat(re.failure().retryable()).isTrue();
    assertThat(re.failure().reason()).isEqualTo("worker_lost");
    StandaloneWorker next = worker();
    assertThat(value(braid.function("python@edge:itfuncs:pid").call()).asLong())
        .isEqualTo(next.pid());
  }

  @Test
  void aPoolTheGatewayHasNoTokenForIsRefusedAtOnce() {
    gateway(null, b -> {});
    assertThatThrownBy(() -> braid.function("python@gpu:itfuncs:add"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no worker pool 'gpu'")
        .hasMessageContaining("edge");
  }

  @Test
  void aWorkerFollowsTheGatewayThroughARestart() throws Exception {
    gateway(null, b -> {});
    int port = braid.workerListenPort();
    StandaloneWorker w = worker();
    assertThat(value(braid.function("python@edge:itfuncs:add").call(1, 2)).asInt()).isEqualTo(3);
    // the gateway stops (its Shutdown reaches the worker), and a new one comes up on the port
    braid.close();
    braid =
        Braid.start(
            BraidConfig.builder()
                .addPythonPath(StandaloneWorker.PY_FUNCS)
                .workerListener(
                    new WorkerListener(
                        "127.0.0.1",
                        port,
                        certs.serverCert(),
                        certs.serverKey(),
                        null,
                        Map.of("edge", tokenFile),
                        Duration.ofSeconds(1)))
                .build());
    assertThat(value(braid.function("python@edge:itfuncs:pid").call()).asLong())
        .as(w.output())
        .isEqualTo(w.pid());
  }

  @Test
  void oneWorkerServesEveryGatewayItDialsAndNestedCallsGoBackToTheirOwn() throws Exception {
    gateway(null, b -> {});
    try (Braid second =
        Braid.start(
            BraidConfig.builder()
                .addPythonPath(StandaloneWorker.PY_FUNCS)
                .workerListener(
                    new WorkerListener(
                        "127.0.0.1",
                        0,
                        certs.serverCert(),
                        certs.serverKey(),
                        null,
                        Map.of("edge", tokenFile),
                        Duration.ofSeconds(1)))
                .build())) {
      StandaloneWorker w =
          StandaloneWorker.python(
              dir,
              List.of(),
              "--connect",
              "127.0.0.1:" + braid.workerListenPort() + ",127.0.0.1:" + second.workerListenPort(),
              "--pool",
              "edge",
              "--token-file",
              tokenFile.toString(),
              "--tls-ca",
              certs.caCert().toString(),
              "--preload",
              "itfuncs");
      workers.add(w);
      for (Braid g : List.of(braid, second)) {
        assertThat(value(g.function("python@edge:itfuncs:pid").call()).asLong())
            .as(w.output())
            .isEqualTo(w.pid());
        // the nested call must travel back on the stream of the gateway that made the call
        long localPid =
            value(g.function("python@edge:itfuncs:call_nested").call("python:itfuncs:pid"))
                .asLong();
        assertThat(g.workers("python")).anyMatch(i -> i.pid() == localPid);
      }
    }
  }

  @Test
  void aNodeWorkerServesEveryGatewayItDialsToo() throws Exception {
    gateway(null, b -> {});
    try (Braid second =
        Braid.start(
            BraidConfig.builder()
                .addPythonPath(StandaloneWorker.PY_FUNCS)
                .workerListener(
                    new WorkerListener(
                        "127.0.0.1",
                        0,
                        certs.serverCert(),
                        certs.serverKey(),
                        null,
                        Map.of("edge", tokenFile),
                        Duration.ofSeconds(1)))
                .build())) {
      StandaloneWorker w =
          StandaloneWorker.node(
              dir,
              List.of(),
              Path.of("src/test/conformance/node").toAbsolutePath(),
              "--connect",
              "127.0.0.1:" + braid.workerListenPort() + ",127.0.0.1:" + second.workerListenPort(),
              "--pool",
              "edge",
              "--token-file",
              tokenFile.toString(),
              "--tls-ca",
              certs.caCert().toString(),
              "--preload",
              "conf.mjs");
      workers.add(w);
      for (Braid g : List.of(braid, second)) {
        assertThat(value(g.function("node@edge:conf.mjs#pid").call()).asLong())
            .as(w.output())
            .isEqualTo(w.pid());
        // the nested call travels back on the stream of the gateway that made the call
        assertThat(
                value(
                        g.function("node@edge:conf.mjs#call_nested")
                            .call("python:itfuncs:echo", "back"))
                    .asText())
            .isEqualTo("back");
      }
    }
  }
}
