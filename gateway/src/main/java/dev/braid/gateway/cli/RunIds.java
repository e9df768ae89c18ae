package dev.braid.gateway.cli;

import java.util.regex.Pattern;
import picocli.CommandLine;

/** Run ids given on the command line: checked before they reach the store. */
final class RunIds {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  private RunIds() {}

  /** Refuses (exit 2) what cannot be a run id: empty, over 128 characters, odd characters. */
  static void check(CommandLine cl, String runId) {
    if (!ID.matcher(runId).matches()) {
      throw new CommandLine.ParameterException(
          cl,
          "'"
              + TerminalText.visible(runId.length() > 140 ? runId.substring(0, 140) + "..." : runId)
              + "' is not a run id (braid run prints it; braid runs lists them)");
    }
  }
}
