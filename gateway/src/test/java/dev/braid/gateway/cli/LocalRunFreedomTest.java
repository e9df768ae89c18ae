package dev.braid.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code braid run} is the user's own machine: unlike {@code braid serve}, whose exposure policy
 * refuses the standard library, a local workflow may call it.
 */
@Timeout(120)
class LocalRunFreedomTest {
  @TempDir Path dir;

  @Test
  void aLocalWorkflowMayCallThePythonStandardLibrary() throws Exception {
    Path flow = dir.resolve("flow.yaml");
    Files.writeString(
        flow,
        """
        steps:
          base: { call: "python:os.path:basename", args: ["/a/b/report.txt"] }
          joined: { call: "python:posixpath:join", args: ["x", "${{ steps.base }}"] }
        output: "${{ steps.joined }}"
        """);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            "run",
            flow.toString(),
            "--progress",
            "none");
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString().trim()).isEqualTo("\"x/report.txt\"");
  }
}
