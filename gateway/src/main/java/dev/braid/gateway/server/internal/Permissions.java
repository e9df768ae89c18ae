package dev.braid.gateway.server.internal;

import dev.braid.gateway.server.ExposurePolicy;
import dev.braid.gateway.server.TokenScope;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The two questions every RPC answers before it does anything: may this token do this kind of thing
 * (its scopes), and may anyone reach this function (the exposure policy). Refusals are {@code
 * PERMISSION_DENIED} with a sentence naming the missing scope or the rule. Thread-safe.
 */
final class Permissions {
  /** The scopes of the calling token, set by {@link TokenAuthInterceptor}. */
  static final Context.Key<Set<TokenScope>> SCOPES = Context.key("braid-token-scopes");

  private final ExposurePolicy exposure;

  Permissions(ExposurePolicy exposure) {
    this.exposure = exposure;
  }

  /** The scopes of the current call: the token's, or the defaults without authentication. */
  static Set<TokenScope> current() {
    Set<TokenScope> s = SCOPES.get();
    return s == null ? TokenScope.DEFAULTS : s;
  }

  /**
   * @throws StatusRuntimeException PERMISSION_DENIED naming the scope the token lacks
   */
  static void require(TokenScope scope, String what) {
    if (!current().contains(scope)) {
      throw Status.PERMISSION_DENIED
          .withDescription(
              "this token lacks the '"
                  + scope.label()
                  + "' scope, which "
                  + what
                  + " needs (the server's token file grants scopes per token)")
          .asRuntimeException();
    }
  }

  /** The host patterns an inline workflow's {@code http} steps may reach; empty: none. */
  List<String> httpHosts() {
    return exposure.httpHosts();
  }

  /** Why {@code reference} may not be called, or empty. */
  Optional<String> refusal(String reference) {
    return exposure.refusal(reference);
  }

  /**
   * @throws StatusRuntimeException PERMISSION_DENIED naming the rule that refuses {@code reference}
   */
  void requireExposed(String reference) {
    Optional<String> why = exposure.refusal(reference);
    if (why.isPresent()) {
      throw Status.PERMISSION_DENIED.withDescription(why.get()).asRuntimeException();
    }
  }

  boolean allows(String reference) {
    return exposure.allows(reference);
  }
}
