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

/** {@code braid serve}'s exposure and console options are checked before anything starts. */
@Timeout(60)
class ServeCommandTest {
  @TempDir Path tmp;

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new String[] {String.valueOf(code), err.toString()};
  }

  @Test
  void anUnreadableExposeFileIsAUsageError() {
    String[] r =
        run("serve", "--no-auth", "--listen", "127.0.0.1:0", "--expose", tmp + "/none.txt");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("--expose: cannot read");
  }

  @Test
  void aBadPatternIsNamedByLine() throws IOException {
    Path f = Files.writeString(tmp.resolve("expose.txt"), "# ok\npython:pricing:*\nquote\n");
    String[] r = run("serve", "--no-auth", "--listen", "127.0.0.1:0", "--expose", f.toString());
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("expose.txt:3").contains("must start with python:");
  }

  @Test
  void anUnknownScopeInTheTokenFileIsAUsageError() throws IOException {
    Path f = Files.writeString(tmp.resolve("tokens.txt"), "tok run,admin\n");
    String[] r = run("serve", "--listen", "127.0.0.1:0", "--token-file", f.toString());
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("tokens.txt:1").contains("unknown scope 'admin'");
  }

  @Test
  void aConsoleOffLoopbackIsAUsageError() throws IOException {
    Path f = Files.writeString(tmp.resolve("tokens.txt"), "tok run\n");
    String[] r =
        run(
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--token-file",
            f.toString(),
            "--http",
            "0.0.0.0:7080");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("--http 0.0.0.0").contains("loopback only");
  }

  @Test
  void aConsoleWithoutTokensIsAUsageError() {
    String[] r = run("serve", "--no-auth", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("--http needs tokens");
  }

  @Test
  void aConsoleAddressWithoutPortIsAUsageError() throws IOException {
    Path f = Files.writeString(tmp.resolve("tokens.txt"), "tok\n");
    String[] r =
        run(
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--token-file",
            f.toString(),
            "--http",
            "127.0.0.1");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[1]).contains("--http: expected HOST:PORT");
  }
}
