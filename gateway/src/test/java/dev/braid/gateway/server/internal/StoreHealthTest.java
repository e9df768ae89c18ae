package dev.braid.gateway.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.gateway.store.StoreException;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class StoreHealthTest {
  private final HealthStatusManager health = new HealthStatusManager();
  private final AtomicBoolean down = new AtomicBoolean();
  private final StoreHealth storeHealth =
      new StoreHealth(
          () -> {
            if (down.get()) {
              throw new StoreException("connection refused");
            }
          },
          health,
          Duration.ofMillis(1));
  private Server server;
  private ManagedChannel channel;
  private HealthGrpc.HealthBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(health.getHealthService())
            .build()
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    stub = HealthGrpc.newBlockingStub(channel);
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    health.setStatus("braid.api.v1.Braid", ServingStatus.SERVING);
  }

  @AfterEach
  void stop() throws Exception {
    storeHealth.close();
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private ServingStatus status(String service) {
    return stub.withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  @Test
  void anUnreachableStoreMakesTheServerNotReadyButLeavesTheApiLive() {
    down.set(true);
    assertThat(storeHealth.check()).isFalse();
    assertThat(status("")).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(status("braid.api.v1.Braid")).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void theServerIsReadyAgainOnceTheStoreAnswers() {
    down.set(true);
    storeHealth.check();
    down.set(false);
    assertThat(storeHealth.check()).isTrue();
    assertThat(status("")).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void aProbeThatHangsPastTheTimeoutMakesTheServerNotReady() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    try (StoreHealth hanging =
        new StoreHealth(
            () -> {
              entered.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            health,
            Duration.ofMillis(1))) {
      hanging.tick();
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      // bounded by the probe's own 1 ms timeout: the next tick finds it older than that
      Thread.sleep(5);
      hanging.tick();
      assertThat(status("")).isEqualTo(ServingStatus.NOT_SERVING);
      release.countDown();
    }
  }

  @Test
  void afterShutdownTheStatusStaysNotServing() {
    health.enterTerminalState();
    assertThat(storeHealth.check()).isTrue();
    assertThat(status("")).isEqualTo(ServingStatus.NOT_SERVING);
  }
}
