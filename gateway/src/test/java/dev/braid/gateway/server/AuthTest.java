package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.GetRunRequest;
import dev.braid.proto.api.v1.InvokeRequest;
import dev.braid.proto.api.v1.InvokeStreamRequest;
import dev.braid.proto.api.v1.ListFunctionsRequest;
import dev.braid.proto.api.v1.RunWorkflowRequest;
import dev.braid.proto.api.v1.StartWorkflowRequest;
import dev.braid.proto.api.v1.WatchRunRequest;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every call without a valid token is refused with UNAUTHENTICATED before any work: no function
 * runs, no run is created, no slot is taken.
 */
@Timeout(120)
class AuthTest {
  static TestServer ts;
  static BraidServer other;
  static final String OTHER_TOKEN = "token-of-another-server";

  @TempDir Path folder;

  @BeforeAll
  static void start() throws Exception {
    ts = TestServer.start();
    // a second server on the same workers, with its own token
    other =
        BraidServer.start(
            ServerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .tokens(List.of(OTHER_TOKEN))
                .build(),
            ts.braid);
  }

  @AfterAll
  static void stop() {
    if (other != null) {
      other.shutdown();
    }
    if (ts != null) {
      ts.close();
    }
  }

  /** Channels that must be refused, by name. */
  private List<Object[]> badChannels() {
    ManagedChannel bare = ts.channel(null);
    return List.of(
        new Object[] {"no token", bare},
        new Object[] {"wrong token", ClientInterceptors.intercept(bare, TestServer.bearer("nope"))},
        new Object[] {
          "a token of another server",
          ClientInterceptors.intercept(bare, TestServer.bearer(OTHER_TOKEN))
        },
        new Object[] {
          "a token that is a prefix of the right one",
          ClientInterceptors.intercept(
              bare, TestServer.bearer(TestServer.TOKEN.substring(0, TestServer.TOKEN.length() - 1)))
        },
        new Object[] {
          "basic auth", ClientInterceptors.intercept(bare, header("Basic dXNlcjpwdw=="))
        },
        new Object[] {"an empty bearer", ClientInterceptors.intercept(bare, header("Bearer "))});
  }

  private static ClientInterceptor header(String value) {
    Metadata m = new Metadata();
    m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), value);
    return MetadataUtils.newAttachHeadersInterceptor(m);
  }

  private void eachBadChannel(Consumer<BraidGrpc.BraidBlockingStub> call) {
    for (Object[] c : badChannels()) {
      BraidGrpc.BraidBlockingStub stub =
          BraidGrpc.newBlockingStub((Channel) c[1]).withDeadlineAfter(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> call.accept(stub))
          .as("%s", c[0])
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }
  }

  @Test
  void invokeWithoutAValidTokenRunsNothing() throws Exception {
    eachBadChannel(
        s ->
            s.invoke(
                InvokeRequest.newBuilder()
                    .setFunction("python:server_funcs:touch")
                    .setArgsJson("[\"" + folder + "\", \"invoked\"]")
                    .build()));
    eachBadChannel(
        s ->
            s.invokeStream(
                    InvokeStreamRequest.newBuilder()
                        .setFunction("python:server_funcs:countdown")
                        .setArgsJson("[3]")
                        .build())
                .hasNext());
    assertNothingRan();
  }

  @Test
  void workflowsWithoutAValidTokenNeverStart() throws Exception {
    String flow =
        "steps:\n  t: { call: python:server_funcs:touch, args: [\"" + folder + "\", \"run\"] }\n";
    eachBadChannel(
        s -> s.runWorkflow(RunWorkflowRequest.newBuilder().setDefinition(flow).build()).hasNext());
    eachBadChannel(
        s -> s.startWorkflow(StartWorkflowRequest.newBuilder().setDefinition(flow).build()));
    assertNothingRan();
  }

  @Test
  void readingCallsAreRefusedToo() {
    eachBadChannel(s -> s.getRun(GetRunRequest.newBuilder().setRunId("run-x").build()));
    eachBadChannel(
        s -> s.watchRun(WatchRunRequest.newBuilder().setRunId("run-x").build()).hasNext());
    eachBadChannel(s -> s.listFunctions(ListFunctionsRequest.getDefaultInstance()));
  }

  @Test
  void healthAndReflectionNeedATokenByDefault() {
    ThrowingCallable health =
        () ->
            HealthGrpc.newBlockingStub(ts.channel(null))
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
    assertThatThrownBy(health)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
  }

  @Test
  void theRefusalSaysWhatIsMissingWithoutTellingHowCloseATokenWas() {
    BraidGrpc.BraidBlockingStub none =
        BraidGrpc.newBlockingStub(ts.channel(null)).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> none.listFunctions(ListFunctionsRequest.getDefaultInstance()))
        .hasMessageContaining("authorization: Bearer <token>");
    BraidGrpc.BraidBlockingStub wrong =
        BraidGrpc.newBlockingStub(
                ClientInterceptors.intercept(ts.channel(null), TestServer.bearer("nope")))
            .withDeadlineAfter(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> wrong.listFunctions(ListFunctionsRequest.getDefaultInstance()))
        .hasMessageEndingWith("invalid token");
  }

  @Test
  void theRightTokenIsAccepted() {
    assertThat(
            ts.blocking()
                .invoke(
                    InvokeRequest.newBuilder()
                        .setFunction("python:server_funcs:add")
                        .setArgsJson("[1, 2]")
                        .build())
                .getValueJson())
        .isEqualTo("3");
    // and the other server accepts its own token on the same workers
    ManagedChannel toOther = channelTo(other.port());
    try {
      BraidGrpc.BraidBlockingStub o =
          BraidGrpc.newBlockingStub(
                  ClientInterceptors.intercept(toOther, TestServer.bearer(OTHER_TOKEN)))
              .withDeadlineAfter(30, TimeUnit.SECONDS);
      assertThat(
              o.invoke(
                      InvokeRequest.newBuilder()
                          .setFunction("python:server_funcs:add")
                          .setArgsJson("[2, 2]")
                          .build())
                  .getValueJson())
          .isEqualTo("4");
    } finally {
      toOther.shutdownNow();
    }
  }

  private static ManagedChannel channelTo(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  private void assertNothingRan() throws Exception {
    // give a wrongly admitted call time to leave its mark
    Thread.sleep(500);
    try (var files = Files.list(folder)) {
      assertThat(files.toList()).as("marker files of calls that ran").isEmpty();
    }
    ServerStats s = ts.server.stats();
    assertThat(s.runsPeak()).as("run slots ever taken").isZero();
    assertThat(s.runsKept()).as("runs created").isZero();
    assertThat(s.inFlight()).isZero();
  }
}
