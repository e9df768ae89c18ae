package dev.braid.gateway.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.gateway.server.TokenScope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Logins expire, are bounded in number, and match tokens as the gRPC API does. */
class SessionsTest {
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.EPOCH);
  private final Clock clock =
      new Clock() {
        @Override
        public Instant instant() {
          return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }
      };

  @Test
  void aSessionEndsAtItsTtlAndIsNeverExtended() {
    Sessions s = new Sessions(clock, Duration.ofMinutes(10));
    String id = s.create(Set.of(TokenScope.RUN));
    now.set(Instant.EPOCH.plus(Duration.ofMinutes(9)));
    assertThat(s.get(id)).isNotNull();
    now.set(Instant.EPOCH.plus(Duration.ofMinutes(10)));
    assertThat(s.get(id)).isNull();
  }

  @Test
  void idsAndCsrfTokensAreRandomAndDistinct() {
    Sessions s = new Sessions(clock, Duration.ofMinutes(10));
    String a = s.create(Set.of(TokenScope.RUN));
    String b = s.create(Set.of(TokenScope.RUN));
    assertThat(a).isNotEqualTo(b).hasSize(43);
    assertThat(s.get(a).csrf()).isNotEqualTo(s.get(b).csrf()).isNotEqualTo(a);
    assertThat(s.get(null)).isNull();
    assertThat(s.get("forged")).isNull();
  }

  @Test
  void pastTheBoundALoginIsRefusedUntilSessionsExpire() {
    Sessions s = new Sessions(clock, Duration.ofMinutes(10));
    for (int i = 0; i < Sessions.MAX_SESSIONS; i++) {
      assertThat(s.create(Set.of(TokenScope.RUN))).isNotNull();
    }
    assertThat(s.create(Set.of(TokenScope.RUN))).isNull();
    now.set(Instant.EPOCH.plus(Duration.ofMinutes(10)));
    assertThat(s.create(Set.of(TokenScope.RUN))).isNotNull();
  }

  @Test
  void tokensGetTheirOwnScopesOrTheDefaults() {
    TokenCheck t = new TokenCheck(List.of("a", "b"), Map.of("b", Set.of(TokenScope.INVOKE)));
    assertThat(t.scopesOf("a")).isEqualTo(TokenScope.DEFAULTS);
    assertThat(t.scopesOf(" b ")).containsExactly(TokenScope.INVOKE);
    assertThat(t.scopesOf("c")).isNull();
    assertThat(t.scopesOf("")).isNull();
  }
}
