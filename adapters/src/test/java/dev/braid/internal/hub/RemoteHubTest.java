package dev.braid.internal.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.api.WorkerListener;
import dev.braid.proto.worker.v1.GatewayBatch;
import dev.braid.proto.worker.v1.Hello;
import dev.braid.proto.worker.v1.WorkerBatch;
import dev.braid.proto.worker.v1.WorkerFrame;
import dev.braid.proto.worker.v1.WorkerHubGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TCP listener's admission, with a raw gRPC client playing a hostile or careless worker over
 * loopback (plaintext, which loopback allows).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteHubTest {
  static final String TOKEN = "edge-token-0123456789";

  RemoteHub hub;
  ManagedChannel channel;
  final CompletableFuture<WorkerConnection> arrived = new CompletableFuture<>();

  @BeforeEach
  void start() {
    hub =
        RemoteHub.start(
            new WorkerListener(
                "127.0.0.1", 0, null, null, null, Map.of("edge", Path.of("unused")), null),
            PoolTokens.of(Map.of("edge", TOKEN)),
            (pool, conn) -> arrived.complete(conn),
            1 << 20,
            Duration.ofMillis(300));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", hub.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    hub.close();
  }

  /** Opens a stream, sends {@code hello} (unless null), returns how the stream ended. */
  CompletableFuture<Status> connect(Hello hello) {
    CompletableFuture<Status> ended = new CompletableFuture<>();
    StreamObserver<WorkerBatch> out =
        WorkerHubGrpc.newStub(channel)
            .connect(
                new StreamObserver<>() {
                  @Override
                  public void onNext(GatewayBatch value) {}

                  @Override
                  public void onError(Throwable t) {
                    ended.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    ended.complete(Status.OK);
                  }
                });
    if (hello != null) {
      out.onNext(
          WorkerBatch.newBuilder().addFrames(WorkerFrame.newBuilder().setHello(hello)).build());
    }
    return ended;
  }

  static Hello.Builder hello() {
    return Hello.newBuilder()
        .setLanguage("python")
        .setPool("edge")
        .setToken(TOKEN)
        .setWorkerId("box-1")
        .setMaxInFlight(8);
  }

  @Test
  void aPeerThatNeverSaysHelloIsDropped() throws Exception {
    Status s = connect(null).get(10, TimeUnit.SECONDS);
    assertThat(s.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(s.getDescription()).contains("no Hello");
    assertThat(arrived).isNotDone();
  }

  @Test
  void aWrongTokenAnUnknownPoolOrABadPoolNameIsUnauthenticated() throws Exception {
    for (Hello h :
        new Hello[] {
          hello().setToken("edge-token-0123456780").build(),
          hello().setToken("").build(),
          hello().setPool("gpu").build(),
          hello().setPool("").build(),
          hello().setPool("../edge\n").build()
        }) {
      Status s = connect(h).get(10, TimeUnit.SECONDS);
      assertThat(s.getCode()).as(h.getPool()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(s.getDescription()).doesNotContain(TOKEN);
    }
    assertThat(arrived).isNotDone();
  }

  @Test
  void anUnknownLanguageIsRefused() throws Exception {
    Status s = connect(hello().setLanguage("cobol").build()).get(10, TimeUnit.SECONDS);
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(arrived).isNotDone();
  }

  @Test
  void anAdmittedWorkerIsNamedByItsPoolWithoutItsTokenAndWithABoundedLimit() throws Exception {
    connect(hello().setWorkerId("box-1\u001b[2J/../x").setMaxInFlight(2_000_000_000).build());
    WorkerConnection c = arrived.get(10, TimeUnit.SECONDS);
    assertThat(c.workerId()).isEqualTo("edge/box-12J..x");
    assertThat(c.hello().getToken()).isEmpty();
    assertThat(c.hello().getMaxInFlight()).isEqualTo(RemoteHub.MAX_IN_FLIGHT_CAP);
  }
}
