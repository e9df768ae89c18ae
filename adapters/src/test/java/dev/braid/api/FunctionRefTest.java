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

  @Test
  void aPoolNamesTheRemoteWorkersThatServeTheFunction() {
    FunctionRef r = FunctionRef.parse("python@gpu:shop.users:get_profile");
    assertThat(r.language()).isEqualTo("python");
    assertThat(r.pool()).isEqualTo("gpu");
    assertThat(r.local()).isEqualTo("shop.users:get_profile");
    assertThat(r.remote()).isTrue();
    assertThat(r).hasToString("python@gpu:shop.users:get_profile");
    assertThat(FunctionRef.parse("node@edge-1:q.mjs#quote").pool()).isEqualTo("edge-1");
    assertThat(FunctionRef.parse("python:m:f").remote()).isFalse();
  }

  @Test
  void rejectsBadPoolNames() {
    assertThatThrownBy(() -> FunctionRef.parse("python@:m:f"))
        .hasMessageContaining("invalid pool name ''");
    assertThatThrownBy(() -> FunctionRef.parse("python@GPU:m:f"))
        .hasMessageContaining("invalid pool name 'GPU'");
    assertThatThrownBy(() -> FunctionRef.parse("python@a/b:m:f"))
        .hasMessageContaining("invalid pool name 'a/b'");
  }
}
