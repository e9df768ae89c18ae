package dev.braid.gateway.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.gateway.store.StoreException;
import org.junit.jupiter.api.Test;

class PgUrlTest {
  @Test
  void aUserUrlBecomesAJdbcUrlWithItsCredentialsApart() {
    PgUrl u = PgUrl.parse("postgresql://braid:s3cret@db.example:6543/runs?sslmode=require");
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/runs?sslmode=require");
    assertThat(u.user()).isEqualTo("braid");
    assertThat(u.password()).isEqualTo("s3cret");
    assertThat(u.display()).isEqualTo("postgresql://braid:***@db.example:6543/runs");
  }

  @Test
  void theShortSchemeTheJdbcSchemeAndTheDefaultPortAreAccepted() {
    assertThat(PgUrl.parse("postgres://u@h/d").jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/d");
    PgUrl j = PgUrl.parse("jdbc:postgresql://127.0.0.1:5432/postgres?user=braid&password=pw");
    assertThat(j.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/postgres");
    assertThat(j.user()).isEqualTo("braid");
    assertThat(j.password()).isEqualTo("pw");
    assertThat(PgUrl.parse("postgresql://[::1]:5432/d").jdbcUrl())
        .isEqualTo("jdbc:postgresql://[::1]:5432/d");
    assertThat(PgUrl.isPostgres("postgresql://h/d")).isTrue();
    assertThat(PgUrl.isPostgres("/var/lib/braid.db")).isFalse();
  }

  @Test
  void badUrlsAreRefusedClearlyAndNeverShowThePassword() {
    assertThatThrownBy(() -> PgUrl.parse("postgresql://u:hunter2@/d"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("no host")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> PgUrl.parse("postgresql://u:hunter2@h:5432"))
        .hasMessageContaining("no database")
        .hasMessageContaining("postgresql://u:***@")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> PgUrl.parse("postgresql://u:hunter2@h:5432/a b"))
        .isInstanceOf(StoreException.class)
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> PgUrl.parse("postgresql://h/d?password=hunter2&x"))
        .hasMessageContaining("bad query parameter")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> PgUrl.parse("postgresql://h/" + "d".repeat(5000)))
        .hasMessageContaining("longer than");
    assertThatThrownBy(() -> PgUrl.parse("postgresql://h/d;drop"))
        .hasMessageContaining("bad database name");
  }
}
