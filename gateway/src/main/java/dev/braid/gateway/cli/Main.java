package dev.braid.gateway.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code braid} command line. Exit codes follow DESIGN §8: 0 ok, 1 failed, 2 invalid. */
@Command(
    name = "braid",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Braid: call async functions across Java, Python and Node under one deadline and",
      "cancellation model.",
      ""
    },
    subcommands = {
      CallCommand.class,
      RunCommand.class,
      ResumeCommand.class,
      RunsCommand.class,
      ShowCommand.class,
      SignalCommand.class,
      CheckCommand.class,
      ExecCommand.class,
      FunctionsCommand.class,
      ServeCommand.class,
      HealthCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Durations are written 250ms, 2s, 1.5s, 1m, 1h. JSON arguments are JSON values:",
      "  2   '\"text\"'   '{\"a\":1}'",
      "Environment: BRAID_PYTHON (interpreter), BRAID_PYTHONPATH (module folders),",
      "  BRAID_LOG_LEVEL (worker log level, default WARNING), BRAID_STORE (where runs",
      "  are kept: a SQLite file, a postgresql:// URL or memory; default",
      "  ~/.local/share/braid/braid.db)."
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI on the process's stdout/stderr and returns the exit code. */
  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** Runs the CLI with the given streams and returns the exit code (for tests). */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Main());
    // `--input @file` is Braid's own syntax (DESIGN §8), not picocli's argument files
    cl.setExpandAtFiles(false);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          cmd.getErr().println("error: " + e.getMessage());
          return 1;
        });
    cl.setParameterExceptionHandler(
        (e, a) -> {
          CommandLine cmd = e.getCommandLine();
          cmd.getErr().println("error: " + e.getMessage());
          cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
          return CommandLine.ExitCode.USAGE;
        });
    try {
      return cl.execute(args);
    } catch (StackOverflowError e) {
      // The last line of defence: every input has limits that keep it far from the stack's end
      // (docs/workflows.md, "Limits"), and this names a case they missed without a stack dump.
      err.println(
          "error: the input is nested too deeply for braid to process (the thread's stack ran"
              + " out); see the limits in docs/workflows.md");
      err.flush();
      return CommandLine.ExitCode.USAGE;
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"braid " + (v == null ? "development build" : v)};
    }
  }
}
