package dev.braid.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.StepOutcome;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway killed with SIGKILL loses no acknowledged write: a child JVM records steps, saying "ack
 * N" once each is durable, and is killed -9 mid-stream; the reopened store has every acknowledged
 * step.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SigkillTest {
  private static final int ACKS_BEFORE_KILL = 200;

  @TempDir Path dir;

  @Test
  void sqliteKeepsEveryAcknowledgedWrite() throws Exception {
    check(dir.resolve("braid.db").toString());
  }

  @Test
  void postgresKeepsEveryAcknowledgedWrite() throws Exception {
    check(PostgresServer.freshDatabase());
  }

  private void check(String location) throws Exception {
    String runId;
    int acked = -1;
    try (ChildProcess child = new ChildProcess("write", location)) {
      String first = child.line();
      assertThat(first).startsWith("run ");
      runId = first.substring(4);
      while (acked < ACKS_BEFORE_KILL) {
        String l = child.line();
        assertThat(l).startsWith("ack ");
        acked = Integer.parseInt(l.substring(4));
      }
      child.kill();
      // lines it printed before it died were acknowledged too
      String l;
      while ((l = child.out.readLine()) != null) {
        acked = Integer.parseInt(l.substring(4));
      }
    }
    try (RunStore store =
        RunStores.open(
            new StoreConfig(
                location, StoreConfig.Sync.NORMAL, StoreConfig.Budgets.DEFAULT, false))) {
      RunJournal j = store.claim(runId).journal();
      for (int i = 0; i <= acked; i++) {
        assertThat(j.recorded("s" + i))
            .as("step s%d", i)
            .contains(StepOutcome.ok(IntNode.valueOf(i)));
      }
      assertThat(j.lastAttempt("s" + (acked + 1))).isEqualTo(1);
    }
  }
}
