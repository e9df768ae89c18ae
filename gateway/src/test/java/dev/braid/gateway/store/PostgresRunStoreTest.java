package dev.braid.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * The {@link RunStoreContract} on a real PostgreSQL ({@link PostgresServer}), a fresh database
 * each.
 */
class PostgresRunStoreTest extends RunStoreContract {
  @Override
  String newLocation() {
    return PostgresServer.freshDatabase();
  }

  @Override
  Connection rawConnection() throws SQLException {
    return PostgresServer.connect(location);
  }

  @Test
  void aSecondGatewaysClaimFencesTheFirstThroughTheDatabase() throws Exception {
    RunStore first = open();
    RunStore second = open();
    assertThat(second.owner()).isNotEqualTo(first.owner());
    RunStore.Claimed c = first.create("demo", DEFINITION, parse("{}"), null);
    await(c.journal().attemptStarting("a", 1));
    RunStore.Claimed taken = second.claim(c.run().runId());
    assertThat(taken.run().owner()).isEqualTo(second.owner());
    assertThat(taken.journal().lastAttempt("a")).isEqualTo(1);
    assertThatThrownBy(() -> await(c.journal().attemptStarting("b", 1)))
        .cause()
        .hasMessageContaining("was taken over by another gateway");
    await(taken.journal().attemptStarting("b", 1));
    assertThat(count("SELECT COUNT(*) FROM step_result")).isEqualTo(2);
  }
}
