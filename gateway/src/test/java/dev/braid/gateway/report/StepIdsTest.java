package dev.braid.gateway.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StepIdsTest {
  @Test
  void aLoopItemHasItsIndexAndTheLoopAsParent() {
    assertThat(StepIds.index("prices.do[3]")).hasValue(3);
    assertThat(StepIds.parent("prices.do[3]")).isEqualTo("prices");
    assertThat(StepIds.parent("outer.do[1].inner.do[12]")).isEqualTo("outer.do[1].inner");
    assertThat(StepIds.index("outer.do[1].inner.do[12]")).hasValue(12);
  }

  @Test
  void branchesAndTopLevelSteps() {
    assertThat(StepIds.parent("fanout.a")).isEqualTo("fanout");
    assertThat(StepIds.index("fanout.a")).isEmpty();
    assertThat(StepIds.parent("profile")).isNull();
    assertThat(StepIds.parent(null)).isNull();
  }

  @Test
  void quotedNamesAreNotStructure() {
    // a switch case named "1.5" is written quoted; its dot is no separator and it is no item
    assertThat(StepIds.index("pick[\"1.5\"]")).isEmpty();
    assertThat(StepIds.parent("pick[\"1.5\"]")).isEqualTo("pick");
    assertThat(StepIds.parent("pick[\"a.b\"].x")).isEqualTo("pick[\"a.b\"]");
    assertThat(StepIds.index("pick[\"7\"]")).isEmpty();
  }

  @Test
  void aLoopItemSharesItsBodysDescription() {
    java.util.Map<String, String> d = java.util.Map.of("prices.do", "quote", "a", "x");
    assertThat(Text.description("prices.do[12]", d)).isEqualTo("quote");
    assertThat(Text.description("a", d)).isEqualTo("x");
    assertThat(Text.description("b", d)).isEmpty();
    assertThat(Text.description("pick[\"7\"]", d)).isEmpty();
  }
}
