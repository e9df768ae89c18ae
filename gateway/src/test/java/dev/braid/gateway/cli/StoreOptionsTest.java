package dev.braid.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.gateway.store.StoreConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code --store}, {@code --store-sync} and the budget options, parsed into a StoreConfig. */
class StoreOptionsTest {
  @Command(name = "t")
  static final class Holder implements Runnable {
    @CommandLine.Mixin StoreOptions store = new StoreOptions();

    @Override
    public void run() {}
  }

  private static StoreOptions parse(String... args) {
    Holder h = new Holder();
    new CommandLine(h).parseArgs(args);
    return h.store;
  }

  @Test
  void optionsMakeTheConfig() {
    StoreConfig c =
        parse(
                "--store",
                "/tmp/x.db",
                "--store-sync",
                "FULL",
                "--max-run-events",
                "10",
                "--max-run-bytes",
                "512KiB",
                "--max-outcome-bytes",
                "2m")
            .config(true);

    assertThat(c.location()).isEqualTo("/tmp/x.db");
    assertThat(c.sync()).isEqualTo(StoreConfig.Sync.FULL);
    assertThat(c.budgets()).isEqualTo(new StoreConfig.Budgets(10, 512 * 1024, 2 * 1024 * 1024));
    assertThat(c.readOnly()).isTrue();
  }

  @Test
  void withoutOptionsTheEnvironmentOrTheDefaultFileIsUsed() {
    StoreConfig c = parse().config(false);

    String env = System.getenv(StoreOptions.ENV);
    assertThat(c.location())
        .isEqualTo(env != null && !env.isBlank() ? env : StoreConfig.defaultLocation().toString());
    assertThat(c.sync()).isEqualTo(StoreConfig.Sync.NORMAL);
    assertThat(c.budgets()).isEqualTo(StoreConfig.Budgets.DEFAULT);
  }

  @Test
  void sizesTakeBinarySuffixes() {
    StoreOptions o = parse();
    assertThat(o.size("100", "--x")).isEqualTo(100);
    assertThat(o.size("1k", "--x")).isEqualTo(1024);
    assertThat(o.size("16MiB", "--x")).isEqualTo(16L << 20);
    assertThat(o.size("1 GB", "--x")).isEqualTo(1L << 30);
  }

  @Test
  void badValuesAreRefusedByName() {
    StoreOptions o = parse();
    assertThatThrownBy(() -> o.size("1.5MiB", "--max-run-bytes"))
        .hasMessageContaining("--max-run-bytes: '1.5MiB' is not a size");
    assertThatThrownBy(() -> o.size("0", "--max-run-bytes"))
        .hasMessageContaining("--max-run-bytes < 1: 0");
    assertThatThrownBy(() -> o.size("999999999999999g", "--max-run-bytes"))
        .hasMessageContaining("too large");
    assertThatThrownBy(() -> parse("--store", " ").config(false))
        .hasMessageContaining("--store is empty");
    assertThatThrownBy(() -> parse("--store-sync", "never").config(false))
        .hasMessageContaining("--store-sync must be normal or full, not 'never'");
  }
}
