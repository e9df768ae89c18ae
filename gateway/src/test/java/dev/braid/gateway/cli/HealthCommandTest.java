package dev.braid.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.gateway.server.internal.TokenAuthInterceptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code braid health} against a real health service on a loopback port. */
@Timeout(60)
class HealthCommandTest {
  private final HealthStatusManager health = new HealthStatusManager();
  private Server server;
  private String address;
  @TempDir Path dir;

  @BeforeEach
  void start() throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                ServerInterceptors.intercept(
                    health.getHealthService(), new TokenAuthInterceptor(List.of("s3cret-token"))))
            .build()
            .start();
    address = "127.0.0.1:" + server.getPort();
    health.setStatus("braid.api.v1.Braid", ServingStatus.SERVING);
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  record Outcome(int exit, String out, String err) {}

  private Outcome health(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 1];
    all[0] = "health";
    System.arraycopy(args, 0, all, 1, args.length);
    int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
    return new Outcome(exit, out.toString().trim(), err.toString().trim());
  }

  private Path tokenFile(String token) throws Exception {
    Path f = dir.resolve("tokens.txt");
    Files.writeString(f, "# the probe's token\n" + token + " run\n");
    return f;
  }

  @Test
  void servingExitsZeroAndPrintsTheStatus() throws Exception {
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    Outcome o = health("--address", address, "--token-file", tokenFile("s3cret-token").toString());
    assertThat(o.out()).isEqualTo("SERVING");
    assertThat(o.exit()).isZero();
  }

  @Test
  void notServingExitsOne() throws Exception {
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
    Outcome o = health("--address", address, "--token-file", tokenFile("s3cret-token").toString());
    assertThat(o.out()).isEqualTo("NOT_SERVING");
    assertThat(o.exit()).isEqualTo(1);
  }

  @Test
  void aNamedServiceIsAskedForItself() throws Exception {
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
    Outcome o =
        health(
            "--address",
            address,
            "--service",
            "braid.api.v1.Braid",
            "--token-file",
            tokenFile("s3cret-token").toString());
    assertThat(o.out()).isEqualTo("SERVING");
    assertThat(o.exit()).isZero();
    Outcome unknown =
        health(
            "--address",
            address,
            "--service",
            "no.such.Service",
            "--token-file",
            tokenFile("s3cret-token").toString());
    assertThat(unknown.out()).isEqualTo("SERVICE_UNKNOWN");
    assertThat(unknown.exit()).isEqualTo(1);
  }

  @Test
  void aWrongTokenIsUnauthenticatedAndNeverPrinted() throws Exception {
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    Outcome o = health("--address", address, "--token-file", tokenFile("wrong-guess").toString());
    assertThat(o.exit()).isEqualTo(1);
    assertThat(o.err()).contains("UNAUTHENTICATED").doesNotContain("wrong-guess");
  }

  @Test
  void nothingListeningExitsOne() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Outcome o = health("--address", "127.0.0.1:" + port, "--timeout", "2s");
    assertThat(o.exit()).isEqualTo(1);
    assertThat(o.err()).contains("UNAVAILABLE");
  }

  @Test
  void aBadAddressIsBadUsage() {
    assertThat(health("--address", "no-port").exit()).isEqualTo(2);
  }
}
