package dev.braid.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.braid.proto.api.v1.BraidGrpc;
import dev.braid.proto.api.v1.InvokeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** With a certificate and key the server speaks TLS only; tokens work the same over it. */
@Timeout(120)
class TlsTest {
  @TempDir Path folder;

  @Test
  void servesOverTlsAndRefusesPlaintext() throws Exception {
    Path cert = folder.resolve("server.crt");
    Path key = folder.resolve("server.key");
    Process openssl =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                key.toString(),
                "-out",
                cert.toString())
            .redirectErrorStream(true)
            .start();
    assumeTrue(
        openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0,
        "openssl is needed to make a test certificate");

    try (TestServer ts = TestServer.start(b -> b.tls(cert, key))) {
      ManagedChannel tls =
          NettyChannelBuilder.forAddress(
                  "127.0.0.1",
                  ts.server.port(),
                  TlsChannelCredentials.newBuilder().trustManager(cert.toFile()).build())
              .build();
      try {
        InvokeRequest add =
            InvokeRequest.newBuilder()
                .setFunction("python:server_funcs:add")
                .setArgsJson("[5, 6]")
                .build();
        assertThat(
                BraidGrpc.newBlockingStub(tls)
                    .withInterceptors(TestServer.bearer(TestServer.TOKEN))
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .invoke(add)
                    .getValueJson())
            .isEqualTo("11");

        Throwable noToken =
            catchThrowable(
                () ->
                    BraidGrpc.newBlockingStub(tls)
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .invoke(add));
        assertThat(Status.fromThrowable(noToken).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);

        Throwable plaintext =
            catchThrowable(
                () ->
                    BraidGrpc.newBlockingStub(ts.channel(TestServer.TOKEN))
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .invoke(add));
        assertThat(Status.fromThrowable(plaintext).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      } finally {
        tls.shutdownNow();
      }
    }
  }
}
