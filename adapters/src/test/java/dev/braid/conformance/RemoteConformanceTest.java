package dev.braid.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.api.CallOptions;
import dev.braid.api.WorkerListener;
import dev.braid.it.remote.StandaloneWorker;
import dev.braid.it.remote.TestCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A subset of the conformance suite with the callee on standalone Python and Node workers that
 * dialed the gateway over loopback TCP with TLS (pool {@code edge}): the same fixtures and the same
 * scenario code as {@link ConformanceTest}, so deadlines, cancels, retries, streams and nested
 * calls (remote → local, local → remote, remote → remote) must behave exactly as over the Unix
 * socket.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RemoteConformanceTest {
  static final String TOKEN = "conformance-edge-token-0123456789";
  static Braid remote;
  static final List<StandaloneWorker> workers = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("braid-remote-conformance-");
    ConformanceTest.tmp = dir;
    TestCerts certs = TestCerts.make(dir, "127.0.0.1");
    Path token = Files.writeString(dir.resolve("edge.token"), TOKEN + "\n");
    remote =
        Braid.start(
            BraidConfig.builder()
                .addPythonPath(ConformanceTest.ROOT.resolve("python"))
                .addNodePath(ConformanceTest.ROOT.resolve("node"))
                .pingInterval(Duration.ofMillis(200))
                .livenessTimeout(Duration.ofMillis(1500))
                .defaultGrace(Duration.ofSeconds(1))
                .workerListener(
                    new WorkerListener(
                        "127.0.0.1",
                        0,
                        certs.serverCert(),
                        certs.serverKey(),
                        null,
                        Map.of("edge", token),
                        Duration.ofSeconds(2)))
                .build());
    String[] common = {
      "--connect",
      "127.0.0.1:" + remote.workerListenPort(),
      "--pool",
      "edge",
      "--token-file",
      token.toString(),
      "--tls-ca",
      certs.caCert().toString(),
    };
    Path py = ConformanceTest.ROOT.resolve("python");
    Path node = ConformanceTest.ROOT.resolve("node");
    workers.add(StandaloneWorker.pythonIn(dir, List.of(), py, concat(common, "--preload", "conf")));
    workers.add(
        StandaloneWorker.node(dir, List.of(), node, concat(common, "--preload", "conf.mjs")));
    ConformanceTest.active = remote;
    // both pools answer before any scenario runs, so no scenario's deadline covers a connect
    for (String l : List.of("python@edge", "node@edge")) {
      assertThat(
              ConformanceTest.value(
                      ConformanceTest.call(l, "echo", List.of("up"), CallOptions.DEFAULT))
                  .asText())
          .as(l + "\n" + workers.get(0).output() + workers.get(1).output())
          .isEqualTo("up");
    }
  }

  private static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(String[]::new);
  }

  @AfterAll
  static void stop() throws Exception {
    for (StandaloneWorker w : workers) {
      w.close();
    }
    if (remote != null) {
      remote.close();
    }
  }

  @BeforeEach
  void useTheRemoteGateway() {
    ConformanceTest.active = remote;
  }

  @ParameterizedTest
  @ValueSource(strings = {"python@edge", "node@edge"})
  void awkwardJsonRoundTrips(String l) throws Exception {
    ConformanceTest.awkwardJson(l);
  }

  @ParameterizedTest
  @ValueSource(strings = {"python@edge", "node@edge"})
  void anApplicationErrorKeepsItsCauseChain(String l) throws Exception {
    ConformanceTest.errorWithCause(l);
  }

  @ParameterizedTest
  @ValueSource(strings = {"python@edge", "node@edge"})
  void theCalleeObservesTheDeadline(String l) throws Exception {
    ConformanceTest.deadline(l);
  }

  @ParameterizedTest
  @ValueSource(strings = {"python@edge", "node@edge"})
  void theCalleeObservesAnExplicitCancelWithItsReason(String l) throws Exception {
    ConformanceTest.cancel(l);
  }

  @ParameterizedTest
  @ValueSource(strings = {"python@edge", "node@edge"})
  void retriesSeeTheAttemptAndTheSameIdempotencyKey(String l) throws Exception {
    ConformanceTest.attempts(l);
    ConformanceTest.idempotencyKey(l);
  }

  @ParameterizedTest
  @ValueSource(strings = {"python@edge", "node@edge"})
  void cancellationModesTryAndWait(String l) throws Exception {
    ConformanceTest.modeTry(l);
    ConformanceTest.modeWait(l);
  }

  @ParameterizedTest
  @ValueSource(strings = {"python@edge", "node@edge"})
  void aStreamOf10000ItemsIsBoundedByCredit(String l) throws Exception {
    ConformanceTest.stream(l);
  }

  @ParameterizedTest
  @ValueSource(strings = {"python@edge", "node@edge"})
  void aThousandConcurrentCalls(String l) throws Exception {
    ConformanceTest.concurrent(l);
  }

  @ParameterizedTest
  @CsvSource({
    "python@edge, node",
    "node@edge, python",
    "python, node@edge",
    "node, python@edge",
    "python@edge, node@edge",
    "java, python@edge"
  })
  void nestedCallsAcrossTheLink(String caller, String callee) throws Exception {
    ConformanceTest.nestedCall(caller, callee);
  }

  @ParameterizedTest
  @CsvSource({
    "python@edge, node",
    "node@edge, python",
    "python, node@edge",
    "java, python@edge",
    "node@edge, python@edge"
  })
  void nestedCancelsCascadeAcrossTheLink(String caller, String callee) throws Exception {
    ConformanceTest.nestedCancel(caller, callee);
  }
}
