package dev.braid.gateway.cli;

import dev.braid.gateway.report.Terminal;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How {@code braid run} and {@code braid resume} show a run: progress, event lines, a trace. */
final class ViewOptions {
  enum Progress {
    auto,
    live,
    plain,
    none
  }

  @Option(
      names = "--json",
      description = "print one JSON event per line on stdout; the last line is the outcome")
  boolean json;

  @Option(
      names = "--trace",
      paramLabel = "OUT",
      description = "write a Chrome trace-event file of the run (open it in Perfetto)")
  Path trace;

  @Option(
      names = "--progress",
      paramLabel = "MODE",
      description =
          "progress on stderr: auto (live when stderr is a terminal, even with stdout"
              + " redirected; else plain), live, plain, none"
              + " (default: ${DEFAULT-VALUE})")
  Progress progress = Progress.auto;

  /** Whether the progress view redraws a table (a terminal) rather than writing lines. */
  boolean live() {
    return switch (progress) {
      case live -> true;
      case plain, none -> false;
      case auto -> Terminal.stderrDevice().isPresent() && !"dumb".equals(System.getenv("TERM"));
    };
  }
}
