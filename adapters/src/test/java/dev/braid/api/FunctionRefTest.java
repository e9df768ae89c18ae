package dev.braid.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FunctionRefTest {
  @Test
  void splitsLanguageFromTheLocalReference() {
    FunctionRef r = FunctionRef.parse("python:shop.users:get_profile");
    assertThat(r.language()).isEqualTo("python");
    assertThat(r.local()).isEqualTo("shop.users:get_profile");
    assertThat(FunctionRef.parse("node:quote.mjs#quote").local()).isEqualTo("quote.mjs#quote");
  }

  @Test
  void rejectsUnknownLanguagesAndMalformedReferences() {
    assertThatThrownBy(() -> FunctionRef.parse("ruby:x:y"))
        .hasMessageContaining("unknown language 'ruby'");
    assertThatThrownBy(() -> FunctionRef.parse("get_profile"))
        .hasMessageContaining("language:reference");
    assertThatThrownBy(() -> FunctionRef.parse("python:no_function"))
        .hasMessageContaining("python:module:function");
  }
}
