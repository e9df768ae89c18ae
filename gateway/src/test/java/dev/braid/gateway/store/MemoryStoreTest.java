package dev.braid.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.braid.gateway.engine.StepOutcome;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --store memory}: a working store that lives as long as it is open, one per opener. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemoryStoreTest {
  private static StoreConfig memory(boolean readOnly) {
    return new StoreConfig(
        RunStores.MEMORY, StoreConfig.Sync.NORMAL, StoreConfig.Budgets.DEFAULT, readOnly);
  }

  @Test
  void aMemoryStoreKeepsRunsWhileOpenAndEachIsItsOwn() throws Exception {
    try (RunStore a = RunStores.open(memory(false));
        RunStore b = RunStores.open(memory(false))) {
      RunStore.Claimed c = a.create("w", "name: w\n", IntNode.valueOf(1), null);
      c.journal().attemptStarting("s", 1).get(20, TimeUnit.SECONDS);
      c.journal().settled("s", StepOutcome.ok(IntNode.valueOf(2)));
      c.journal().finished(StepOutcome.ok(IntNode.valueOf(3)), false).get(20, TimeUnit.SECONDS);
      StoredRun r = a.get(c.run().runId()).orElseThrow();
      assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(r.result()).isEqualTo(IntNode.valueOf(3));
      assertThat(a.steps(r.runId())).extracting(StoredStep::path).containsExactly("s");
      assertThat(b.list(null, 10)).isEmpty();
    }
  }

  @Test
  void aMemoryStoreCannotBeReadOnly() {
    assertThatThrownBy(() -> RunStores.open(memory(true)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("in-memory");
  }

  @Test
  void aBadLocationIsNamed() {
    assertThatThrownBy(
            () ->
                RunStores.open(
                    new StoreConfig(
                        "postgresql://u:pw@/d",
                        StoreConfig.Sync.NORMAL,
                        StoreConfig.Budgets.DEFAULT,
                        false)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("postgresql://u:***@")
        .hasMessageNotContaining("pw@");
  }
}
