package dev.braid.gateway.console.internal;

import dev.braid.gateway.server.TokenScope;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's logins: a random session id (the cookie) mapped to the token's scopes and a CSRF
 * token, in memory only, so a restart logs everyone out. Bounded: past {@link #MAX_SESSIONS} the
 * expired are dropped, and if none are, a login is refused rather than growing without end.
 * Thread-safe.
 */
public final class Sessions {
  static final int MAX_SESSIONS = 1_000;

  /** One login. The CSRF token is sent back in a header on every state-changing request. */
  public record Session(Set<TokenScope> scopes, String csrf, Instant expires) {}

  private final SecureRandom random = new SecureRandom();
  private final ConcurrentHashMap<String, Session> byId = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration ttl;

  public Sessions(Clock clock, Duration ttl) {
    this.clock = clock;
    this.ttl = ttl;
  }

  /** A new session's id, or null when {@link #MAX_SESSIONS} live sessions exist. */
  public String create(Set<TokenScope> scopes) {
    if (byId.size() >= MAX_SESSIONS) {
      Instant now = clock.instant();
      byId.values().removeIf(s -> !s.expires().isAfter(now));
      if (byId.size() >= MAX_SESSIONS) {
        return null;
      }
    }
    // two logins racing past the check may both get in: the bound is loose by the number of
    // Jetty's threads, which is all it has to be (it stops growth, not one extra session)
    String id = randomId();
    byId.put(id, new Session(Set.copyOf(scopes), randomId(), clock.instant().plus(ttl)));
    return id;
  }

  /** The live session of {@code id}, or null (unknown, expired or null id). */
  public Session get(String id) {
    if (id == null) {
      return null;
    }
    Session s = byId.get(id);
    if (s != null && !s.expires().isAfter(clock.instant())) {
      byId.remove(id, s);
      return null;
    }
    return s;
  }

  public void remove(String id) {
    if (id != null) {
      byId.remove(id);
    }
  }

  private String randomId() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
