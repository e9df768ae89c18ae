package dev.braid.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code braid run flow.yaml > out.json} in a real terminal (a pseudo-terminal made by {@code
 * script} from util-linux): stdout goes to the file, and the live view stays on stderr's terminal.
 */
@Timeout(120)
class ProgressOnATerminalTest {
  @TempDir Path folder;

  private String terminalSession(String env) throws Exception {
    Path flow = folder.resolve("flow.yaml");
    Files.writeString(
        flow,
        """
        steps:
          hello: { call: python:engine_funcs:echo, args: [hi], description: Say hello }
        output: "${{ steps.hello }}"
        """);
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    String command =
        List.of(
                    "env",
                    env,
                    java.toString(),
                    "-cp",
                    cp,
                    "-Dbraid.home=" + System.getProperty("braid.home"),
                    Main.class.getName(),
                    "run",
                    flow.toString(),
                    "--python-path",
                    Path.of("src/test/python").toAbsolutePath().toString())
                .stream()
                .map(ProgressOnATerminalTest::quote)
                .collect(Collectors.joining(" "))
            + " > "
            + quote(folder.resolve("out.json").toString());
    Process session =
        new ProcessBuilder("script", "-qec", command, "/dev/null")
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectErrorStream(true)
            .redirectOutput(folder.resolve("terminal.log").toFile())
            .start();
    assertThat(session.waitFor(90, TimeUnit.SECONDS)).as("the run ended").isTrue();
    String terminal = Files.readString(folder.resolve("terminal.log"));
    assertThat(session.exitValue()).as(terminal).isZero();
    assertThat(new ObjectMapper().readTree(folder.resolve("out.json").toFile()).asText())
        .as("the result went to the file")
        .isEqualTo("hi");
    return terminal;
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  @Test
  void withStdoutRedirectedTheLiveViewStaysOnTheTerminal() throws Exception {
    String terminal = terminalSession("TERM=xterm");
    // the live view's frames: autowrap off, then the table; the description in the step's line
    assertThat(terminal).contains("\u001b[?7l").contains("Say hello").doesNotContain("\"hi\"");
  }

  @Test
  void aDumbTerminalGetsPlainLines() throws Exception {
    String terminal = terminalSession("TERM=dumb");
    assertThat(terminal).doesNotContain("\u001b[?7l").contains("hello").contains("started");
  }
}
