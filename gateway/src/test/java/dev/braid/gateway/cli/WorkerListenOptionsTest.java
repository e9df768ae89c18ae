package dev.braid.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code braid serve --worker-listen}: a listener that would take plaintext off loopback, or is
 * misconfigured, is refused before anything binds or starts (nothing is sent anywhere).
 */
@Timeout(60)
class WorkerListenOptionsTest {
  @TempDir Path tmp;

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new String[] {String.valueOf(code), err.toString()};
  }

  private Path token() throws IOException {
    return Files.writeString(tmp.resolve("gpu.token"), "gpu-pool-token-0123456789\n");
  }

  @Test
  void plaintextOffLoopbackIsRefusedAtStartup() throws IOException {
    String[] r =
        run(
            "serve",
            "--no-auth",
            "--listen",
            "127.0.0.1:0",
            "--worker-listen",
            "0.0.0.0:0",
            "--worker-pool-token",
            "gpu=" + token());
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1])
        .contains("refusing a plaintext worker listener on 0.0.0.0")
        .contains("--worker-tls-cert");
  }

  @Test
  void plaintextOnAnInterfaceAddressIsRefusedToo() throws IOException {
    String[] r =
        run(
            "serve",
            "--no-auth",
            "--listen",
            "127.0.0.1:0",
            "--worker-listen",
            "198.18.0.1:7071",
            "--worker-pool-token",
            "gpu=" + token());
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("refusing a plaintext worker listener on 198.18.0.1");
  }

  @Test
  void aListenerWithoutAnyPoolTokenIsRefused() {
    String[] r =
        run("serve", "--no-auth", "--listen", "127.0.0.1:0", "--worker-listen", "127.0.0.1:0");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("--worker-pool-token NAME=FILE");
  }

  @Test
  void aPoolTokenWithoutAListenerIsRefused() throws IOException {
    String[] r =
        run(
            "serve",
            "--no-auth",
            "--listen",
            "127.0.0.1:0",
            "--worker-pool-token",
            "gpu=" + token());
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("need --worker-listen");
  }

  @Test
  void aBadPoolNameIsRefused() throws IOException {
    String[] r =
        run(
            "serve",
            "--no-auth",
            "--listen",
            "127.0.0.1:0",
            "--worker-listen",
            "127.0.0.1:0",
            "--worker-pool-token",
            "GPU!=" + token());
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("invalid pool name 'GPU!'");
  }

  @Test
  void aShortTokenIsRefusedWithoutPrintingIt() throws IOException {
    Path t = Files.writeString(tmp.resolve("short.token"), "sekret\n");
    String[] r =
        run(
            "serve",
            "--no-auth",
            "--listen",
            "127.0.0.1:0",
            "--worker-listen",
            "127.0.0.1:0",
            "--worker-pool-token",
            "gpu=" + t);
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[1]).contains("shorter than 16 characters").doesNotContain("sekret");
  }
}
