package dev.braid.internal.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolTokensTest {
  @TempDir Path dir;

  @Test
  void aTokenMatchesOnlyItsOwnPool() throws Exception {
    Path gpu =
        Files.writeString(dir.resolve("gpu"), "# the gpu pool\n\n  gpu-token-0123456789  \n");
    Path edge = Files.writeString(dir.resolve("edge"), "edge-token-0123456789\n");
    PoolTokens t = PoolTokens.fromFiles(Map.of("gpu", gpu, "edge", edge));
    assertThat(t.pools()).containsExactlyInAnyOrder("gpu", "edge");
    assertThat(t.matches("gpu", "gpu-token-0123456789")).isTrue();
    assertThat(t.matches("edge", "gpu-token-0123456789")).isFalse();
    assertThat(t.matches("gpu", "gpu-token-012345678")).isFalse();
    assertThat(t.matches("gpu", "")).isFalse();
    assertThat(t.matches("other", "gpu-token-0123456789")).isFalse();
  }

  @Test
  void anUnknownPoolNeverMatchesEvenTheEmptyDigest() {
    PoolTokens t = PoolTokens.of(Map.of("gpu", "gpu-token-0123456789"));
    assertThat(t.matches("", "")).isFalse();
    assertThat(t.matches("nope", "gpu-token-0123456789")).isFalse();
  }

  @Test
  void badTokenFilesAreRefusedWithoutShowingTheToken() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), "# nothing\n");
    Path shortToken = Files.writeString(dir.resolve("short"), "s3cret\n");
    Path big = Files.writeString(dir.resolve("big"), "x".repeat(5000));
    assertThatThrownBy(() -> PoolTokens.fromFiles(Map.of("gpu", empty)))
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> PoolTokens.fromFiles(Map.of("gpu", shortToken)))
        .hasMessageContaining("shorter than 16")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> PoolTokens.fromFiles(Map.of("gpu", big)))
        .hasMessageContaining("over 4096 bytes");
    assertThatThrownBy(() -> PoolTokens.fromFiles(Map.of("gpu", dir.resolve("missing"))))
        .hasMessageContaining("cannot read the token file of pool gpu");
  }

  @Test
  void remoteWorkerNamesAreCleaned() {
    assertThat(RemoteHub.cleanName("host-1.example_2")).isEqualTo("host-1.example_2");
    assertThat(RemoteHub.cleanName("a/b\n\u001b[31mc d")).isEqualTo("ab31mcd");
    assertThat(RemoteHub.cleanName("x".repeat(500))).hasSize(64);
  }
}
