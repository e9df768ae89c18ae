package dev.braid.gateway.server.internal;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;

/**
 * Refuses every call without {@code authorization: Bearer <token>} naming an accepted token, with
 * {@code UNAUTHENTICATED}, before the service sees the call: no handler runs, and the request is
 * dropped unread by the service.
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

  public TokenAuthInterceptor(List<String> tokens) {
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("no tokens");
    }
    this.digests = tokens.stream().map(TokenAuthInterceptor::sha256).toList();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String problem = problem(headers.get(AUTHORIZATION));
    if (problem != null) {
      call.close(Status.UNAUTHENTICATED.withDescription(problem), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
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
    byte[] presented = sha256(header.substring(BEARER.length()).strip());
    boolean ok = false;
    for (byte[] d : digests) {
      ok |= MessageDigest.isEqual(d, presented);
    }
    return ok ? null : "invalid token";
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
