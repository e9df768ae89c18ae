package dev.braid.gateway.cli;

import dev.braid.api.WorkerListener;
import dev.braid.model.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code braid serve}'s listener for standalone workers on other machines: {@code --worker-listen}
 * with its TLS, mutual TLS, pool tokens and keepalive (docs/deploy.md, "Remote worker pools").
 */
final class WorkerListenOptions {
  @Option(
      names = "--worker-listen",
      paramLabel = "HOST:PORT",
      description =
          "also accept standalone workers (python -m braid_worker --connect) on this TCP address,"
              + " beside the private Unix socket; TLS is required unless HOST is loopback")
  String listen;

  @Option(
      names = "--worker-tls-cert",
      paramLabel = "FILE",
      description = "PEM certificate chain of the worker listener")
  Path cert;

  @Option(
      names = "--worker-tls-key",
      paramLabel = "FILE",
      description = "PEM private key (PKCS#8) of the worker listener")
  Path key;

  @Option(
      names = "--worker-tls-client-ca",
      paramLabel = "FILE",
      description = "require worker client certificates signed by this PEM CA (mutual TLS)")
  Path clientCa;

  @Option(
      names = "--worker-pool-token",
      paramLabel = "NAME=FILE",
      description =
          "the bearer token (first line of FILE) workers of pool NAME must present; calls reach"
              + " the pool as python@NAME:module:function (repeatable)")
  Map<String, Path> poolTokens = new LinkedHashMap<>();

  @Option(
      names = "--worker-keepalive",
      paramLabel = "D",
      description =
          "HTTP/2 keepalive of worker connections: a link silent this long is pinged, and"
              + " dropped (its calls fail worker_lost) if the ping is not answered within as"
              + " long again (default 10s)")
  String keepAlive = "10s";

  /**
   * The listener these options describe, or null without {@code --worker-listen}.
   *
   * @throws CommandLine.ParameterException naming the bad option: plaintext off loopback, a key
   *     without a certificate, an unreadable file, a pool token without a listener
   */
  WorkerListener listener(CommandLine cl) {
    if (listen == null) {
      if (!poolTokens.isEmpty() || cert != null || key != null || clientCa != null) {
        throw new CommandLine.ParameterException(
            cl, "--worker-pool-token and --worker-tls-* need --worker-listen HOST:PORT");
      }
      return null;
    }
    try {
      Map.Entry<String, Integer> address = WorkerListener.parseAddress(listen);
      for (Path p : new Path[] {cert, key, clientCa}) {
        if (p != null && !Files.isReadable(p)) {
          throw new IllegalArgumentException("cannot read " + p);
        }
      }
      for (Map.Entry<String, Path> e : poolTokens.entrySet()) {
        if (!Files.isReadable(e.getValue())) {
          throw new IllegalArgumentException(
              "--worker-pool-token " + e.getKey() + ": cannot read " + e.getValue());
        }
      }
      Duration d = Durations.parse(keepAlive);
      return new WorkerListener(
          address.getKey(), address.getValue(), cert, key, clientCa, poolTokens, d);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
  }
}
