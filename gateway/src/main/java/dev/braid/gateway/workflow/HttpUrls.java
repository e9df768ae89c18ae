package dev.braid.gateway.workflow;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What an {@code http} step may request: absolute {@code http}/{@code https} URLs with a host, and
 * — where the operator limits it ({@code braid serve --allow-http}) — only hosts matching a
 * pattern. Thread-safe (stateless).
 */
public final class HttpUrls {
  private HttpUrls() {}

  /**
   * Why {@code url} cannot be requested, or empty: it must be an absolute {@code http} or {@code
   * https} URL with a host (no {@code file:}, {@code jar:} or other scheme).
   */
  public static Optional<String> problem(String url) {
    if (url == null) {
      return Optional.of("must be a string");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return Optional.of("'" + url + "' is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return Optional.of(
          "'" + url + "' is not an http:// or https:// URL (only those two schemes are allowed)");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return Optional.of("'" + url + "' names no host");
    }
    return Optional.empty();
  }

  /**
   * Whether {@code host} (and {@code port}, -1 for the scheme's default) matches one of {@code
   * patterns}: {@code api.example.com} (that host, any port), {@code *.example.com} (any host under
   * it, not itself), {@code 127.0.0.1:8080} (that host and port). Case-insensitive.
   */
  public static boolean allowed(String host, int port, List<String> patterns) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    for (String p : patterns) {
      String pattern = p.toLowerCase(Locale.ROOT);
      int wantPort = -1;
      int colon = pattern.lastIndexOf(':');
      if (colon > 0
          && pattern.indexOf(':') == colon
          && pattern.substring(colon + 1).matches("\\d{1,5}")) {
        wantPort = Integer.parseInt(pattern.substring(colon + 1));
        pattern = pattern.substring(0, colon);
      }
      if (wantPort != -1 && wantPort != port) {
        continue;
      }
      if (pattern.startsWith("*.") ? h.endsWith(pattern.substring(1)) : h.equals(pattern)) {
        return true;
      }
    }
    return false;
  }
}
