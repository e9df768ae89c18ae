package dev.braid.gateway.console.internal;

import dev.braid.gateway.server.TokenScope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Matches a token typed into the login form against the API's tokens, the way the gRPC API does
 * (TokenAuthInterceptor): SHA-256 digests compared with {@link MessageDigest#isEqual} against every
 * token without stopping at a match, so timing tells nothing of which token, or how much of one,
 * was right. Thread-safe.
 */
public final class TokenCheck {
  private final List<byte[]> digests;
  private final List<Set<TokenScope>> scopes;

  public TokenCheck(List<String> tokens, Map<String, Set<TokenScope>> own) {
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("no tokens");
    }
    this.digests = tokens.stream().map(TokenCheck::sha256).toList();
    List<Set<TokenScope>> s = new ArrayList<>();
    for (String t : tokens) {
      s.add(own.getOrDefault(t, TokenScope.DEFAULTS));
    }
    this.scopes = List.copyOf(s);
  }

  /** The scopes of {@code token}, or null if it is not accepted. */
  public Set<TokenScope> scopesOf(String token) {
    byte[] presented = sha256(token.strip());
    int found = -1;
    for (int i = 0; i < digests.size(); i++) {
      boolean eq = MessageDigest.isEqual(digests.get(i), presented);
      int mask = -(eq ? 1 : 0);
      found = (found & ~mask) | (i & mask);
    }
    return found < 0 ? null : scopes.get(found);
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
