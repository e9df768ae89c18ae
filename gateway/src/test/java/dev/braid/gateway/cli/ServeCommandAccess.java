package dev.braid.gateway.cli;

import picocli.CommandLine;

/** Test access to how {@code braid serve} parses its options. */
public final class ServeCommandAccess {
  private ServeCommandAccess() {}

  /** Whether {@code braid serve <args>} runs Java functions in process. */
  public static boolean javaInProcess(String... args) {
    ServeCommand c = new ServeCommand();
    new CommandLine(c).parseArgs(args);
    return c.javaInProcess;
  }
}
