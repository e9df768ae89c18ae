package dev.braid.gateway.cli;

import dev.braid.gateway.server.Tokens;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code braid health}: one {@code grpc.health.v1.Health/Check} of a running {@code braid serve},
 * for container health checks (the images' HEALTHCHECK) and scripts. Exit 0 only for {@code
 * SERVING}.
 */
@Command(
    name = "health",
    mixinStandardHelpOptions = true,
    description = {
      "Ask a running braid serve whether it is healthy (grpc.health.v1.Health/Check) and",
      "print its status: SERVING, NOT_SERVING, SERVICE_UNKNOWN or UNKNOWN.",
      "Exit 0 if SERVING, 1 otherwise (also when it cannot be reached), 2 on bad usage.",
      "The whole server (--service '', the default) is NOT_SERVING while its store does not",
      "answer or once it is shutting down; braid.api.v1.Braid only once it is shutting down."
    },
    footer = {
      "",
      "Examples:",
      "  braid health                                   # 127.0.0.1:7070, plaintext",
      "  braid health --address 10.0.0.5:7443 --tls --tls-ca ca.crt --token-file t.txt",
      "  braid health --service braid.api.v1.Braid"
    })
final class HealthCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--address",
      paramLabel = "HOST:PORT",
      description = "the server's --listen address (default ${DEFAULT-VALUE})")
  String address = "127.0.0.1:7070";

  @Option(
      names = "--service",
      paramLabel = "NAME",
      description = "the health service name: '' (the whole server, default) or braid.api.v1.Braid")
  String service = "";

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "send the first token of this file (the server's --token-file format); not needed"
              + " when the server runs with --health-without-token")
  Path tokenFile;

  @Option(names = "--tls", description = "speak TLS (the server runs with --tls-cert)")
  boolean tls;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description = "PEM certificates to trust instead of the system's (implies --tls)")
  Path tlsCa;

  @Option(
      names = "--authority",
      paramLabel = "NAME",
      description = "the name the server's certificate must hold, when not the address's host")
  String authority;

  @Option(
      names = "--timeout",
      paramLabel = "D",
      description = "how long to wait for the answer (default ${DEFAULT-VALUE})")
  String timeout = "5s";

  @Override
  public Integer call() throws IOException {
    CommandLine cl = spec.commandLine();
    Duration wait = WorkflowLoader.duration(cl, timeout, "--timeout");
    // checked here for the message, but the channel resolves the name itself
    ServeCommand.address(cl, address);
    Metadata headers = new Metadata();
    if (tokenFile != null) {
      List<String> tokens;
      try {
        tokens = Tokens.fromFile(tokenFile);
      } catch (IOException e) {
        throw new CommandLine.ParameterException(cl, "--token-file: cannot read " + tokenFile);
      }
      if (tokens.isEmpty()) {
        throw new CommandLine.ParameterException(cl, "--token-file: no token in " + tokenFile);
      }
      headers.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
          "Bearer " + tokens.get(0));
    }
    ChannelCredentials credentials;
    if (tls || tlsCa != null) {
      TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
      if (tlsCa != null) {
        b.trustManager(tlsCa.toFile());
      }
      credentials = b.build();
    } else {
      credentials = InsecureChannelCredentials.create();
    }
    ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(address, credentials);
    if (authority != null) {
      builder.overrideAuthority(authority);
    }
    ManagedChannel channel = builder.build();
    try {
      ServingStatus status =
          HealthGrpc.newBlockingStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
              .withDeadlineAfter(wait.toNanos(), TimeUnit.NANOSECONDS)
              .check(HealthCheckRequest.newBuilder().setService(service).build())
              .getStatus();
      cl.getOut().println(status);
      return status == ServingStatus.SERVING ? 0 : 1;
    } catch (StatusRuntimeException e) {
      // NOT_FOUND is how the health service says it has no such service name
      if (e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
        cl.getOut().println(ServingStatus.SERVICE_UNKNOWN);
        return 1;
      }
      cl.getErr()
          .println(
              "error: "
                  + address
                  + ": "
                  + e.getStatus().getCode()
                  + (e.getStatus().getDescription() == null
                      ? ""
                      : ": " + e.getStatus().getDescription()));
      return 1;
    } finally {
      channel.shutdownNow();
    }
  }
}
