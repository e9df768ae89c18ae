package dev.braid.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.proto.api.v1.EventStatus;
import dev.braid.proto.api.v1.EventType;
import dev.braid.proto.api.v1.GetRunRequest;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunInfo;
import dev.braid.proto.api.v1.RunState;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The gateway image journaling to PostgreSQL in a container made from a locally built image
 * (gateway/src/test/container/postgres). The gateway container shares the database container's
 * network namespace, so it reaches PostgreSQL on 127.0.0.1 and nothing crosses a container network;
 * the test reaches both through ports mapped to the host's loopback.
 */
@Timeout(300)
class PostgresJournalContainerTest {
  static final String TOKEN = "journal-test-token";
  static final int API = 7070;
  static final String FLOW =
      """
      name: priced
      input:
        qty: { type: integer }
      steps:
        price: { set: { unit: 7 } }
        total: { set: "${{ steps.price.unit * input.qty }}" }
      output: "${{ steps.total }}"
      """;

  @TempDir static Path dir;
  static Path tokens;

  PostgreSQLContainer postgres;
  GenericContainer<?> gateway;
  ManagedChannel channel;

  @BeforeAll
  static void tokenFile() throws IOException {
    tokens = dir.resolve("tokens");
    Files.writeString(tokens, TOKEN + " run,inline\n");
    // read by the container's unprivileged user
    Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @BeforeEach
  void start() {
    var pgImage = Containers.image("braid-test-postgres:15").asCompatibleSubstituteFor("postgres");
    var gatewayImage = Containers.image("braid-gateway");
    postgres =
        new PostgreSQLContainer(pgImage)
            .withImagePullPolicy(Containers.NEVER_PULL)
            .withDatabaseName("braid")
            .withUsername("braid")
            .withPassword("pw-" + UUID.randomUUID());
    // the gateway lives in this container's network namespace: its API port is mapped here
    postgres.addExposedPort(API);
    postgres.start();
    gateway = startGateway(gatewayImage.asCanonicalNameString());
    channel = Containers.channel("127.0.0.1", postgres.getMappedPort(API));
  }

  GenericContainer<?> startGateway(String image) {
    GenericContainer<?> g =
        new GenericContainer<>(image)
            .withImagePullPolicy(Containers.NEVER_PULL)
            .withNetworkMode("container:" + postgres.getContainerId())
            // inline workflows need the inline scope, which only a token file grants
            .withFileSystemBind(tokens.toString(), "/etc/braid/tokens", BindMode.READ_ONLY)
            // in the environment, not the command line: the password stays out of `ps`
            .withEnv(
                "BRAID_STORE",
                "postgresql://braid:" + postgres.getPassword() + "@127.0.0.1:5432/braid")
            .withCommand(
                "serve",
                "--listen=0.0.0.0:" + API,
                "--token-file=/etc/braid/tokens",
                "--health-without-token",
                "--warm=none")
            .withTmpFs(Map.of("/tmp", "rw,size=64m"))
            .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("container.gateway")))
            .withCreateContainerCmdModifier(c -> c.getHostConfig().withReadonlyRootfs(true))
            .waitingFor(
                Wait.forLogMessage(".*braid serve: listening on .*runs stored.*", 1)
                    .withStartupTimeout(Duration.ofMinutes(2)));
    g.start();
    return g;
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (gateway != null) {
      gateway.stop();
    }
    if (postgres != null) {
      postgres.stop();
    }
  }

  @Test
  void aRunIsJournaledInPostgresAndAnsweredByTheNextGatewayContainer() throws Exception {
    RunEvent last = null;
    Iterator<RunEvent> events =
        Containers.braid(channel, TOKEN)
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .runWorkflow(
                RunWorkflowRequest.newBuilder()
                    .setDefinition(FLOW)
                    .setInputJson("{\"qty\": 6}")
                    .build());
    while (events.hasNext()) {
      last = events.next();
    }
    assertThat(last).isNotNull();
    assertThat(last.getType()).isEqualTo(EventType.EVENT_TYPE_RUN_FINISHED);
    assertThat(last.getStatus())
        .as("failure: %s", last.getError())
        .isEqualTo(EventStatus.EVENT_STATUS_OK);
    String runId = last.getRunId();

    // in the database itself, read from the host through the mapped port
    try (Connection c =
            DriverManager.getConnection(
                postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
        PreparedStatement ps =
            c.prepareStatement("SELECT status, result FROM run WHERE run_id = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("run %s is in PostgreSQL", runId).isTrue();
        assertThat(rs.getString("result")).isNotNull();
        assertThat(new ObjectMapper().readTree(rs.getString("result")).toString()).contains("42");
      }
    }

    // a new gateway container on the same database answers for the run
    gateway.stop();
    gateway = startGateway(gateway.getDockerImageName());
    RunInfo info =
        Containers.braid(channel, TOKEN)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .getRun(GetRunRequest.newBuilder().setRunId(runId).build());
    assertThat(info.getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
    assertThat(info.getResultJson()).isEqualTo("42");
  }

  @Test
  void theGatewayIsNotReadyWhileItsDatabaseIsPausedButStaysLive() throws Exception {
    assertThat(status("")).isEqualTo(ServingStatus.SERVING);
    var docker = postgres.getDockerClient();
    docker.pauseContainerCmd(postgres.getContainerId()).exec();
    try {
      assertThat(awaitStatus("", ServingStatus.NOT_SERVING, Duration.ofSeconds(60)))
          .as("NOT_SERVING within 60 s of the pause")
          .isTrue();
      assertThat(status("braid.api.v1.Braid")).isEqualTo(ServingStatus.SERVING);
    } finally {
      docker.unpauseContainerCmd(postgres.getContainerId()).exec();
    }
    assertThat(awaitStatus("", ServingStatus.SERVING, Duration.ofSeconds(60)))
        .as("SERVING again within 60 s of the unpause")
        .isTrue();
  }

  ServingStatus status(String service) {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  /** Polls the health service every 250 ms until it says {@code want}, at most {@code max}. */
  boolean awaitStatus(String service, ServingStatus want, Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      if (status(service) == want) {
        return true;
      }
      Thread.sleep(250);
    }
    return false;
  }
}
