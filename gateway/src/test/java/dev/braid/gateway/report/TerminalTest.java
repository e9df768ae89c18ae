package dev.braid.gateway.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TerminalTest {
  @Test
  void sttyOutputIsRowsThenColumns() {
    assertThat(Terminal.parse("48 160\n")).contains(new Terminal.Size(48, 160));
    assertThat(Terminal.parse("0 0\n")).isEmpty();
    assertThat(Terminal.parse("stty: 'standard input': Inappropriate ioctl")).isEmpty();
    assertThat(Terminal.parse("")).isEmpty();
  }

  @Test
  void onlyTerminalDevicesAreTerminals(@TempDir Path dir) throws Exception {
    Path pts = Files.createSymbolicLink(dir.resolve("pts"), Path.of("/dev/pts/3"));
    Path file = Files.createSymbolicLink(dir.resolve("file"), dir.resolve("out.json"));
    Path pipe = Files.createSymbolicLink(dir.resolve("pipe"), Path.of("pipe:[1234]"));
    assertThat(Terminal.device(pts)).contains(Path.of("/dev/pts/3"));
    assertThat(Terminal.device(file)).isEmpty();
    assertThat(Terminal.device(pipe)).isEmpty();
    assertThat(Terminal.device(dir.resolve("missing"))).isEmpty();
  }
}
