package dev.braid.gateway.console;

import dev.braid.gateway.server.TokenScope;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the web console listens and whom it lets in.
 *
 * @param host a loopback address or {@code localhost}: the console has no TLS yet, so a session
 *     cookie and the tokens typed into the login form must never cross a network in clear
 * @param port 0 for any free port
 * @param tokens the tokens of the API's token file (and {@code BRAID_TOKENS})
 * @param tokenScopes the tokens that have scopes of their own; the others get {@link
 *     TokenScope#DEFAULTS}, as on the gRPC API
 * @param sessionTtl how long a login lasts; a session is never extended
 */
public record ConsoleConfig(
    String host,
    int port,
    List<String> tokens,
    Map<String, Set<TokenScope>> tokenScopes,
    Duration sessionTtl) {

  /** The life of a login unless given: a working day. */
  public static final Duration DEFAULT_SESSION_TTL = Duration.ofHours(8);

  /**
   * @throws IllegalArgumentException naming the bad value: a host that is not loopback, a port out
   *     of range, no tokens, a session life not positive
   */
  public ConsoleConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("console host is empty");
    }
    if (!isLoopback(host)) {
      throw new IllegalArgumentException(
          "--http "
              + host
              + ": the console listens on loopback only (127.0.0.1, ::1, localhost) until it"
              + " serves TLS; reach it from elsewhere through an SSH tunnel");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("console port out of range: " + port);
    }
    if (tokens == null || tokens.isEmpty()) {
      throw new IllegalArgumentException(
          "the console needs tokens to log in with: give --token-file (it has no --no-auth mode)");
    }
    if (sessionTtl == null || sessionTtl.isNegative() || sessionTtl.isZero()) {
      throw new IllegalArgumentException("session life not positive: " + sessionTtl);
    }
    tokens = List.copyOf(tokens);
    tokenScopes = Map.copyOf(tokenScopes == null ? Map.of() : tokenScopes);
  }

  /**
   * Parses {@code HOST:PORT} ({@code [::1]:PORT} for IPv6).
   *
   * @throws IllegalArgumentException naming the bad text
   */
  public static ConsoleConfig parse(
      String hostPort, List<String> tokens, Map<String, Set<TokenScope>> tokenScopes) {
    if (hostPort == null || hostPort.length() > 300) {
      throw new IllegalArgumentException("--http: expected HOST:PORT");
    }
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("--http: expected HOST:PORT, got '" + hostPort + "'");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--http: not a port in '" + hostPort + "'");
    }
    return new ConsoleConfig(host, port, tokens, tokenScopes, DEFAULT_SESSION_TTL);
  }

  /** Loopback by its literal address or the name {@code localhost}; never a DNS lookup. */
  static boolean isLoopback(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    // only literals: a name would be resolved, and DNS may answer anything
    if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
