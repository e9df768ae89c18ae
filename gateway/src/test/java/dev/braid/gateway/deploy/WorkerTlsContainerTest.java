package dev.braid.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.InvokeResponse;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * Worker containers (python-worker/container, node-worker/container) dialing a gateway container's
 * worker listener over TLS with their pool's token, then serving calls placed on their pool. The
 * worker containers share the gateway container's network namespace: they dial {@code localhost},
 * TLS is forced by {@code --tls-ca} (the certificate names localhost), and nothing crosses a
 * container network.
 */
@Timeout(300)
class WorkerTlsContainerTest {
  static final String API_TOKEN = "worker-tls-api-token";
  static final int API = 7070;
  static final int HUB = 7071;

  @TempDir static Path dir;
  static GenericContainer<?> gateway;
  static GenericContainer<?> python;
  static GenericContainer<?> node;
  static ManagedChannel channel;

  @BeforeAll
  static void start() throws IOException {
    String gatewayImage = Containers.image("braid-gateway").asCanonicalNameString();
    String pythonImage = Containers.image("braid-python-worker").asCanonicalNameString();
    String nodeImage = Containers.image("braid-node-worker").asCanonicalNameString();
    Path hub = folder("hub");
    Path ca = folder("ca");
    Path pool = folder("pool");
    Path app = folder("app");
    certificate(hub);
    Files.copy(hub.resolve("tls.crt"), ca.resolve("ca.crt"));
    file(pool.resolve("py"), "python-pool-token-" + "x".repeat(16) + "\n");
    file(pool.resolve("js"), "node-pool-token-" + "y".repeat(16) + "\n");
    file(
        app.resolve("greet.py"),
        "async def greet(name):\n    return f'hello {name} from python'\n");
    file(
        app.resolve("greet.mjs"),
        "export async function greet(name) {\n  return `hello ${name} from node`;\n}\n");
    for (Path f : List.of(ca.resolve("ca.crt"), hub.resolve("tls.crt"), hub.resolve("tls.key"))) {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    }

    gateway =
        new GenericContainer<>(gatewayImage)
            .withImagePullPolicy(Containers.NEVER_PULL)
            .withEnv("BRAID_TOKENS", API_TOKEN)
            .withFileSystemBind(hub.toString(), "/etc/braid/hub", BindMode.READ_ONLY)
            .withFileSystemBind(pool.toString(), "/etc/braid/pool", BindMode.READ_ONLY)
            .withCommand(
                "serve",
                "--listen=0.0.0.0:" + API,
                "--health-without-token",
                "--warm=none",
                "--store=memory",
                "--worker-listen=0.0.0.0:" + HUB,
                "--worker-tls-cert=/etc/braid/hub/tls.crt",
                "--worker-tls-key=/etc/braid/hub/tls.key",
                "--worker-pool-token=py=/etc/braid/pool/py",
                "--worker-pool-token=js=/etc/braid/pool/js")
            .withExposedPorts(API)
            .withTmpFs(Map.of("/tmp", "rw,size=64m"))
            .withCreateContainerCmdModifier(c -> c.getHostConfig().withReadonlyRootfs(true))
            .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("container.gateway")))
            .waitingFor(
                Wait.forLogMessage(".*braid serve: listening on .*", 1)
                    .withStartupTimeout(Duration.ofMinutes(2)));
    gateway.start();
    channel = Containers.channel("127.0.0.1", gateway.getMappedPort(API));
    python = worker(pythonImage, "py", "greet", ca, pool, app);
    node = worker(nodeImage, "js", "greet.mjs", ca, pool, app);
  }

  static GenericContainer<?> worker(
      String image, String pool, String preload, Path ca, Path tokens, Path app) {
    GenericContainer<?> w =
        new GenericContainer<>(image)
            .withImagePullPolicy(Containers.NEVER_PULL)
            .withNetworkMode("container:" + gateway.getContainerId())
            .withFileSystemBind(ca.toString(), "/etc/braid/ca", BindMode.READ_ONLY)
            .withFileSystemBind(
                tokens.resolve(pool).toString(), "/etc/braid/pool-token", BindMode.READ_ONLY)
            .withFileSystemBind(app.toString(), "/app", BindMode.READ_ONLY)
            .withCommand(
                "--connect=localhost:" + HUB,
                "--pool=" + pool,
                "--token-file=/etc/braid/pool-token",
                "--tls-ca=/etc/braid/ca/ca.crt",
                "--preload=" + preload)
            .withTmpFs(Map.of("/tmp", "rw,size=16m"))
            .withCreateContainerCmdModifier(c -> c.getHostConfig().withReadonlyRootfs(true))
            .withLogConsumer(
                new Slf4jLogConsumer(LoggerFactory.getLogger("container.worker." + pool)))
        // no ports: started means running; whether it connected is what the calls show
        ;
    w.start();
    return w;
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (GenericContainer<?> c : new GenericContainer<?>[] {python, node, gateway}) {
      if (c != null) {
        c.stop();
      }
    }
  }

  static InvokeResponse invoke(String function, String argsJson) {
    // the first call of a pool waits (up to 30 s, the gateway's start timeout) for a worker
    return Containers.braid(channel, API_TOKEN)
        .withDeadlineAfter(90, TimeUnit.SECONDS)
        .invoke(InvokeRequest.newBuilder().setFunction(function).setArgsJson(argsJson).build());
  }

  @Test
  void aPythonWorkerContainerServesItsPoolOverTls() {
    InvokeResponse r = invoke("python@py:greet:greet", "[\"Ada\"]");
    assertThat(r.getValueJson())
        .as("failure: %s", r.getFailure())
        .isEqualTo("\"hello Ada from python\"");
  }

  @Test
  void aNodeWorkerContainerServesItsPoolOverTls() {
    InvokeResponse r = invoke("node@js:greet.mjs#greet", "[\"Ada\"]");
    assertThat(r.getValueJson())
        .as("failure: %s", r.getFailure())
        .isEqualTo("\"hello Ada from node\"");
  }

  static Path folder(String name) throws IOException {
    Path p = Files.createDirectories(dir.resolve(name));
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  static void file(Path p, String text) throws IOException {
    Files.writeString(p, text);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
  }

  /** A self-signed certificate for localhost and 127.0.0.1 with its PKCS#8 key, by openssl. */
  static void certificate(Path into) throws IOException {
    ExternalTools.Result r =
        ExternalTools.run(
            List.of(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout",
                into.resolve("tls.key").toString(),
                "-out",
                into.resolve("tls.crt").toString()),
            Duration.ofSeconds(60));
    if (r.exit() != 0) {
      ExternalTools.missing("openssl could not make a test certificate: " + r.err());
    }
  }
}
