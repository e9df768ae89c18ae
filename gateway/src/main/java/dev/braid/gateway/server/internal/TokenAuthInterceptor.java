package dev.braid.gateway.server.internal;

import dev.braid.gateway.server.TokenScope;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Refuses every call without {@code authorization: Bearer <token>} naming an accepted token, with
 * {@code UNAUTHENTICATED}, before the service sees the call: no handler runs, and the request is
 * dropped unread by the service. An accepted call runs with the token's scopes in {@link
 * Permissions#SCOPES}.
 *
 * <p>Tokens are compared through their SHA-256 digests with {@link MessageDigest#isEqual}, against
 * every accepted token without stopping at a match, so the time taken says nothing about how much
 * of a token was right or which token matched. Thread-safe.
 */
public final class TokenAuthInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "bearer ";

  private final List<byte[]> digests;
  private final List<Set<TokenScope>> scopes;

  /** Every token with the default scopes. */
  public TokenAuthInterceptor(List<String> tokens) {
    this(tokens, Map.of());
  }

  /**
   * @param own the scopes of tokens that have their own; the others get {@link TokenScope#DEFAULTS}
   */
  public TokenAuthInterceptor(List<String> tokens, Map<String, Set<TokenScope>> own) {
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("no tokens");
    }
    this.digests = tokens.stream().map(TokenAuthInterceptor::sha256).toList();
    List<Set<TokenScope>> s = new ArrayList<>();
    for (String t : tokens) {
      s.add(own.getOrDefault(t, TokenScope.DEFAULTS));
    }
    this.scopes = List.copyOf(s);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String header = headers.get(AUTHORIZATION);
    String problem = problem(header);
    if (problem != null) {
      call.close(Status.UNAUTHENTICATED.withDescription(problem), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Context ctx = Context.current().withValue(Permissions.SCOPES, scopesOf(header));
    return Contexts.interceptCall(ctx, call, headers, next);
  }

  /** Why {@code header} is refused, or null if it carries an accepted token. */
  String problem(String header) {
    if (header == null) {
      return "missing credentials: send the metadata 'authorization: Bearer <token>'";
    }
    if (header.length() <= BEARER.length()
        || !header.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return "malformed authorization metadata: expected 'Bearer <token>'";
    }
    return match(header) >= 0 ? null : "invalid token";
  }

  private Set<TokenScope> scopesOf(String header) {
    return scopes.get(match(header));
  }

  /** The index of the token {@code header} carries, or -1; compares with every token. */
  private int match(String header) {
    byte[] presented = sha256(header.substring(BEARER.length()).strip());
    int found = -1;
    for (int i = 0; i < digests.size(); i++) {
      boolean eq = MessageDigest.isEqual(digests.get(i), presented);
      // no early exit and no data-dependent branch on the comparison's result
      int mask = -(eq ? 1 : 0);
      found = (found & ~mask) | (i & mask);
    }
    return found;
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
