package dev.braid.gateway.console.internal;

import org.eclipse.jetty.http.HttpFields;

/** The headers every console response carries, whatever its status. */
final class SecurityHeaders {
  /**
   * Only the console's own scripts, styles and connections; no inline script or style, no plugin,
   * no frame around it (clickjacking), no form posting elsewhere, no {@code <base>} rewrite.
   */
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
          + " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  private SecurityHeaders() {}

  static void apply(HttpFields.Mutable h) {
    h.put("Content-Security-Policy", CSP);
    h.put("X-Content-Type-Options", "nosniff");
    // frame-ancestors for browsers that predate it
    h.put("X-Frame-Options", "DENY");
    h.put("Referrer-Policy", "no-referrer");
    h.put("Cross-Origin-Opener-Policy", "same-origin");
    h.put("Cross-Origin-Resource-Policy", "same-origin");
    // run data and CSRF tokens must not linger in shared caches or the back-forward cache
    h.put("Cache-Control", "no-store");
  }
}
