package dev.braid.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.proto.api.v1.EventStatus;
import dev.braid.proto.api.v1.EventType;
import dev.braid.proto.api.v1.RunEvent;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The all-in-one image (gateway/container/all-in-one.Containerfile) in a real container under
 * Podman: read-only root file system, non-root user, health checked from outside and by the image's
 * own HEALTHCHECK, and a workflow that calls its Python and Node workers.
 */
@Timeout(300)
class GatewayContainerTest {
  static final String TOKEN = "container-test-token";
  static final int API = 7070;

  static DockerImageName image;
  static GenericContainer<?> gateway;
  static ManagedChannel channel;

  @BeforeAll
  static void start() {
    image = Containers.image("braid-all-in-one");
    gateway =
        new GenericContainer<>(image)
            .withImagePullPolicy(Containers.NEVER_PULL)
            .withEnv("BRAID_TOKENS", TOKEN)
            .withExposedPorts(API)
            .withTmpFs(Map.of("/tmp", "rw,size=256m"))
            .withCreateContainerCmdModifier(c -> c.getHostConfig().withReadonlyRootfs(true))
            .waitingFor(
                Wait.forLogMessage(".*braid serve: listening on .*", 1)
                    .withStartupTimeout(Duration.ofMinutes(3)));
    gateway.start();
    channel = Containers.channel("127.0.0.1", gateway.getMappedPort(API));
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (gateway != null) {
      gateway.stop();
    }
  }

  @Test
  void healthAnswersServingWithoutAToken() {
    ServingStatus status =
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.newBuilder().setService("").build())
            .getStatus();
    assertThat(status).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void theImagesOwnHealthcheckPasses() throws Exception {
    List<String> command = Containers.healthcheck(gateway);
    assertThat(command).contains("health");
    ExecResult r = gateway.execInContainer(command.toArray(String[]::new));
    assertThat(r.getExitCode()).as("stderr: %s", r.getStderr()).isZero();
    assertThat(r.getStdout().trim()).isEqualTo("SERVING");
  }

  @Test
  void runsAsTheUnprivilegedUserOnAReadOnlyRoot() throws Exception {
    assertThat(gateway.execInContainer("id", "-u").getStdout().trim()).isEqualTo("10001");
    ExecResult write = gateway.execInContainer("touch", "/opt/braid/written");
    assertThat(write.getExitCode()).isNotZero();
    assertThat(write.getStderr()).contains("Read-only file system");
  }

  @Test
  void runsAWorkflowThroughItsPythonAndNodeWorkers() throws Exception {
    Iterator<RunEvent> events =
        Containers.braid(channel, TOKEN)
            .withDeadlineAfter(120, TimeUnit.SECONDS)
            .runWorkflow(
                RunWorkflowRequest.newBuilder()
                    .setName("ticks")
                    .setInputJson("{\"n\": 3, \"delay\": 0.01}")
                    .build());
    RunEvent last = null;
    while (events.hasNext()) {
      last = events.next();
    }
    assertThat(last).isNotNull();
    assertThat(last.getType()).isEqualTo(EventType.EVENT_TYPE_RUN_FINISHED);
    assertThat(last.getStatus())
        .as("failure: %s", last.getError())
        .isEqualTo(EventStatus.EVENT_STATUS_OK);
    JsonNode result = new ObjectMapper().readTree(last.getResultJson());
    assertThat(result.toString()).isEqualTo("[\"tick 0\",\"tick 1\",\"tick 2\"]");
  }

  @Test
  void aWrongTokenIsRefused() {
    var call =
        Containers.braid(channel, "not-" + TOKEN)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .runWorkflow(RunWorkflowRequest.newBuilder().setName("ticks").build());
    org.assertj.core.api.Assertions.assertThatThrownBy(call::hasNext)
        .isInstanceOf(io.grpc.StatusRuntimeException.class)
        .hasMessageContaining("UNAUTHENTICATED");
  }
}
