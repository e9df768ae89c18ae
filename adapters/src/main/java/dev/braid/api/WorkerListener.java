package dev.braid.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A TCP listener for standalone workers on other machines (beside the private Unix socket of the
 * workers the gateway starts itself): {@code braid serve --worker-listen HOST:PORT}. A worker that
 * dials it names its pool and presents that pool's bearer token in its {@code Hello}; function
 * references reach the pool as {@code python@POOL:module:function}.
 *
 * <p>TLS is mandatory unless {@code host} is a loopback address: a listener that would take
 * plaintext off loopback is refused here, before anything binds. With {@code clientCa} the listener
 * also requires a client certificate signed by it (mutual TLS).
 *
 * @param host the address to bind (a loopback address, an interface address, or {@code 0.0.0.0})
 * @param port the port; 0 picks a free one ({@link Braid#workerListenPort()})
 * @param certChain the server's certificate chain (PEM), or null for plaintext on loopback
 * @param privateKey the server's private key (PEM, PKCS#8), with {@code certChain}
 * @param clientCa a CA (PEM) client certificates must chain to, or null for no client certificate
 * @param poolTokens per pool name, a file holding its bearer token (first non-blank line); at least
 *     one pool
 * @param keepAlive how long a silent connection waits before an HTTP/2 keepalive ping, and how long
 *     that ping may go unanswered before the connection (and every call on it) is dropped
 */
public record WorkerListener(
    String host,
    int port,
    Path certChain,
    Path privateKey,
    Path clientCa,
    Map<String, Path> poolTokens,
    Duration keepAlive) {

  /** Pool names: lower-case letters, digits, '-' and '_', starting with a letter; 1-63 long. */
  public static final Pattern POOL_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

  /** The HTTP/2 keepalive when none is given. */
  public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(10);

  /**
   * @throws IllegalArgumentException naming the bad value: no pool, a bad pool name, a key without
   *     a certificate, or plaintext off loopback
   */
  public WorkerListener {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("worker listen port not within 0 and 65535: " + port);
    }
    poolTokens = Map.copyOf(poolTokens);
    if (poolTokens.isEmpty()) {
      throw new IllegalArgumentException(
          "--worker-listen needs at least one --worker-pool-token NAME=FILE: a worker must present"
              + " its pool's token");
    }
    for (String pool : poolTokens.keySet()) {
      if (!POOL_NAME.matcher(pool).matches()) {
        throw new IllegalArgumentException(
            "invalid pool name '"
                + pool
                + "': lower-case letters, digits, '-' and '_', starting with a letter");
      }
    }
    if ((certChain == null) != (privateKey == null)) {
      throw new IllegalArgumentException(
          "--worker-tls-cert and --worker-tls-key go together: give both or neither");
    }
    if (clientCa != null && certChain == null) {
      throw new IllegalArgumentException(
          "--worker-tls-client-ca needs TLS: give --worker-tls-cert and --worker-tls-key too");
    }
    if (certChain == null && !isLoopback(host)) {
      throw new IllegalArgumentException(
          "refusing a plaintext worker listener on "
              + host
              + ": off loopback, workers connect over TLS only; give --worker-tls-cert and"
              + " --worker-tls-key (or listen on 127.0.0.1)");
    }
    keepAlive = keepAlive == null ? DEFAULT_KEEPALIVE : keepAlive;
    if (keepAlive.toMillis() < 100) {
      throw new IllegalArgumentException("worker keepalive < 100ms: " + keepAlive);
    }
  }

  /** Whether connections are encrypted (always, off loopback). */
  public boolean tls() {
    return certChain != null;
  }

  /**
   * Whether {@code host} is a loopback address, without any DNS lookup: a literal address, or
   * {@code localhost}.
   */
  public static boolean isLoopback(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!h.matches("[0-9.]+") && !h.contains(":")) {
      return false; // a name: resolving it could say anything, so it is not trusted as loopback
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Parses {@code HOST:PORT} ({@code [::1]:7071} for IPv6).
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public static Map.Entry<String, Integer> parseAddress(String hostPort) {
    int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException(
          "invalid worker listen address '" + hostPort + "': write HOST:PORT, e.g. 0.0.0.0:7071");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "invalid port in worker listen address '" + hostPort + "'");
    }
    return Map.entry(host, port);
  }
}
