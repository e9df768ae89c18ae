package dev.braid.gateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Without bwrap untrusted code is refused; the unsafe mode runs it and says so. */
@Timeout(60)
class SandboxRefusalTest {
  @Test
  void missingBwrapIsRefusedNamingThePackage() {
    SandboxConfig c =
        SandboxConfig.builder().bwrap(Path.of("/nonexistent/bin/bwrap")).poolSize(0).build();
    assertThatThrownBy(() -> Sandbox.create(c))
        .isInstanceOf(SandboxUnavailableException.class)
        .hasMessageContaining("refusing to run untrusted code")
        .hasMessageContaining("apt-get install bubblewrap")
        .hasMessageContaining("/nonexistent/bin/bwrap");
  }

  @Test
  void unsafeModeRunsWithoutBwrapAndSaysSo() throws Exception {
    SandboxConfig c =
        SandboxConfig.builder()
            .bwrap(Path.of("/nonexistent/bin/bwrap"))
            .unsafeNoSandbox(true)
            .poolSize(0)
            .build();
    try (Sandbox s = Sandbox.create(c)) {
      assertThat(s.isUnsafe()).isTrue();
      ExecResult r =
          s.execute(
                  Script.python("def main(x):\n    return x + 1").withInput(Sandboxes.json("1")),
                  Limits.DEFAULTS,
                  null)
              .get(30, TimeUnit.SECONDS);
      assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
      assertThat(r.result().asInt()).isEqualTo(2);
      assertThat(r.details()).startsWith("UNSAFE");
    }
  }
}
