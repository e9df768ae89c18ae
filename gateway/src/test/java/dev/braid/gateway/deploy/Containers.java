package dev.braid.gateway.deploy;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.HealthCheck;
import dev.braid.proto.api.v1.BraidGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.ImagePullPolicy;
import org.testcontainers.utility.DockerImageName;

/**
 * What the container tests share: the images gateway/container/build-images.sh makes (never
 * pulled), and the engine behind {@code DOCKER_HOST} (Podman's Docker-compatible socket, which
 * .ci/run starts). Without an engine or an image a test is skipped with the reason, unless {@code
 * CI=true} or {@code BRAID_REQUIRE_CONTAINERS=1}: then it fails.
 */
final class Containers {
  /** The tag build-images.sh gives (BRAID_IMAGE_TAG, default dev). */
  static final String TAG = tag();

  /** Local images only: a missing one is a missing build, never something to fetch. */
  static final ImagePullPolicy NEVER_PULL = image -> false;

  private Containers() {}

  private static String tag() {
    String t = System.getenv("BRAID_IMAGE_TAG");
    return t == null || t.isBlank() ? "dev" : t;
  }

  static void missing(String why) {
    if ("1".equals(System.getenv("BRAID_REQUIRE_CONTAINERS"))) {
      fail(why + " (BRAID_REQUIRE_CONTAINERS=1)");
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(why + " (CI=true: .ci/run must provide it)");
    }
    assumeTrue(false, why);
  }

  /** {@code localhost/NAME:TAG}, after checking the engine answers and has the image. */
  static DockerImageName image(String name) {
    String ref = name.contains(":") ? "localhost/" + name : "localhost/" + name + ":" + TAG;
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      missing(
          "no container engine: start `podman system service` and set DOCKER_HOST,"
              + " TESTCONTAINERS_RYUK_DISABLED=true, TESTCONTAINERS_HOST_OVERRIDE=localhost"
              + " (docs/deploy.md, \"Tests\")");
    }
    try {
      DockerClientFactory.instance().client().inspectImageCmd(ref).exec();
    } catch (NotFoundException e) {
      missing("image " + ref + " is not built: run gateway/container/build-images.sh");
    }
    return DockerImageName.parse(ref);
  }

  /**
   * The HEALTHCHECK command (its {@code CMD} form) a container got from its image, as the engine
   * would run it. Read from the container: Podman's Docker-compatible image inspection leaves it
   * out, its container inspection has it.
   */
  static List<String> healthcheck(GenericContainer<?> container) {
    HealthCheck hc = container.getContainerInfo().getConfig().getHealthcheck();
    String image = container.getDockerImageName();
    if (hc == null || hc.getTest() == null || hc.getTest().isEmpty()) {
      fail(image + " has no HEALTHCHECK (built without --format docker?)");
    }
    List<String> test = hc.getTest();
    if (!"CMD".equals(test.get(0))) {
      fail(image + ": expected HEALTHCHECK CMD [...], got " + test);
    }
    return test.subList(1, test.size());
  }

  /** A plaintext channel to a container's mapped port on the host's loopback. */
  static ManagedChannel channel(String host, int port) {
    return NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
  }

  /** The Braid API stub on {@code channel}, sending {@code token}. */
  static BraidGrpc.BraidBlockingStub braid(ManagedChannel channel, String token) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return BraidGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }
}
