package dev.braid.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.sandbox.ExecResult;
import dev.braid.gateway.sandbox.Limits;
import dev.braid.gateway.sandbox.OutputListener;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.sandbox.SandboxConfig;
import dev.braid.gateway.sandbox.SandboxUnavailableException;
import dev.braid.gateway.sandbox.Script;
import dev.braid.model.Durations;
import dev.braid.model.Failure;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code braid exec --lang python|js FILE|-}: one untrusted script in a sandbox (DESIGN §6). */
@Command(
    name = "exec",
    mixinStandardHelpOptions = true,
    description = {
      "Run one untrusted script in a fresh bubblewrap sandbox (no network, no files of the",
      "host, CPU/memory/process/output limits) and print its result as JSON on stdout.",
      "A Python script may define main(input) (sync or async), a JS module may export main;",
      "a plain script's stdout is its result. The script's stdout and stderr are streamed to",
      "stderr as they come, with control characters shown (\\x1b, \\r; not \\n, \\t): a",
      "script cannot drive your terminal. --json prints them exactly. Exit 0 if the verdict",
      "is OK, 1 for any other verdict, 2 on bad usage or when no sandbox is available."
    },
    footer = {
      "",
      "Verdicts: OK, RUNTIME_ERROR, TIME_LIMIT (CPU), WALL_TIME_LIMIT, MEMORY_LIMIT,",
      "  OUTPUT_LIMIT, KILLED, INTERNAL.",
      "",
      "Examples:",
      "  braid exec --lang python score.py --input '{\"n\": 3}'",
      "  echo 'export const main = (x) => x * 2' | braid exec --lang js - --input 21",
      "  braid exec --lang python loop.py --timeout 2s --cpu 1s --memory 64 --json"
    })
final class ExecCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE|-", description = "the script, or - for stdin")
  String file;

  @Option(
      names = "--lang",
      paramLabel = "python|js",
      description = "the script's language (default: from the file's extension)")
  String lang;

  @Option(
      names = "--input",
      paramLabel = "JSON|@FILE",
      description = "the value passed to main: a JSON value, or @file holding one")
  String input;

  @Option(names = "--timeout", paramLabel = "D", description = "wall-clock limit (default 10s)")
  String timeout;

  @Option(names = "--cpu", paramLabel = "D", description = "CPU time limit (default 5s)")
  String cpu;

  @Option(names = "--memory", paramLabel = "MB", description = "memory limit (default 256)")
  Integer memory;

  @Option(
      names = "--max-output",
      paramLabel = "BYTES",
      description = "stdout and stderr together (default 1048576)")
  Long maxOutput;

  @Option(
      names = "--json",
      description =
          "print {result, verdict, exit_code, signal, cpu_ms, wall_ms, memory_kb, stdout,"
              + " stderr, error, details} instead of streaming")
  boolean json;

  @Option(
      names = "--unsafe-no-sandbox",
      description = "DEVELOPMENT ONLY: run without bwrap, with no isolation at all")
  boolean unsafe;

  @Option(names = "--bwrap", hidden = true, paramLabel = "PATH", description = "bwrap binary")
  Path bwrap;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (unsafe) {
      err.println(
          "WARNING: --unsafe-no-sandbox: the script runs WITHOUT any sandbox (no namespaces, no"
              + " filesystem or network isolation). Development only; never run untrusted code"
              + " this way.");
      err.flush();
    }
    Script script = new Script(language(), source(), filename(), inputValue());
    Limits limits = limits();
    SandboxConfig config =
        SandboxConfig.builder().poolSize(0).bwrap(bwrap).unsafeNoSandbox(unsafe).build();
    ExecResult r;
    try (Sandbox sandbox = Sandbox.create(config)) {
      OutputListener stream =
          json
              ? OutputListener.NONE
              : (which, text) -> {
                synchronized (err) {
                  // a person reads this: the script's escape sequences must not reach the terminal
                  err.print(TerminalText.visible(text));
                  err.flush();
                }
              };
      CompletableFuture<ExecResult> f = sandbox.execute(script, limits, stream);
      Thread hook = new Thread(() -> f.cancel(true), "braid-exec-interrupt");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        r = f.get();
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running
        }
      }
    } catch (SandboxUnavailableException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 2;
    } catch (ExecutionException | CancellationException e) {
      err.println("error: the run was cancelled");
      err.flush();
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    }
    if (json) {
      out.println(toJson(r));
    } else if (r.isOk()) {
      out.println(forTerminal(r.result()));
    } else {
      Failure f = r.error();
      err.println(
          "error: " + r.verdict() + (f == null ? "" : ": " + TerminalText.visible(f.render())));
    }
    out.flush();
    err.flush();
    return r.isOk() ? 0 : 1;
  }

  /** The result as JSON that reads back to the same value and moves no terminal. */
  private static String forTerminal(JsonNode result) {
    try {
      return JSON.writer().with(new TerminalText.JsonEscapes()).writeValueAsString(result);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  private static String toJson(ExecResult r) {
    ObjectNode o = JSON.createObjectNode();
    o.set("result", r.result());
    o.put("verdict", r.verdict().name());
    o.put("exit_code", r.exitCode());
    o.put("signal", r.signal());
    o.put("cpu_ms", r.cpuMillis());
    o.put("wall_ms", r.wallMillis());
    o.put("memory_kb", r.peakMemoryKb());
    o.put("stdout", r.stdout());
    o.put("stderr", r.stderr());
    if (r.error() != null) {
      ObjectNode e = o.putObject("error");
      e.put("code", r.error().code().name());
      e.put("type", r.error().type());
      e.put("message", r.error().message());
      e.put("language", r.error().language());
      e.put("stack", r.error().stack());
      e.put("reason", r.error().reason());
    } else {
      o.putNull("error");
    }
    o.put("details", r.details());
    return o.toString();
  }

  private Script.Lang language() {
    if (lang != null) {
      try {
        return Script.Lang.parse(lang);
      } catch (IllegalArgumentException e) {
        throw usage("--lang: " + e.getMessage());
      }
    }
    if (file.endsWith(".py")) {
      return Script.Lang.PYTHON;
    }
    if (file.endsWith(".js") || file.endsWith(".mjs") || file.endsWith(".cjs")) {
      return Script.Lang.JS;
    }
    throw usage("--lang python|js is required when the file name does not tell: " + file);
  }

  private String source() {
    try {
      return file.equals("-")
          ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(file));
    } catch (IOException e) {
      throw usage("cannot read " + file + ": " + FileErrors.why(e));
    }
  }

  private String filename() {
    return file.equals("-") ? null : Path.of(file).getFileName().toString();
  }

  private JsonNode inputValue() {
    if (input == null) {
      return null;
    }
    String text = input;
    if (input.startsWith("@")) {
      try {
        text = Files.readString(Path.of(input.substring(1)));
      } catch (IOException e) {
        throw usage("cannot read --input file " + input.substring(1) + ": " + FileErrors.why(e));
      }
    }
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw usage(
          "--input is not valid JSON ("
              + e.getOriginalMessage()
              + "); quote strings twice, e.g. '\"text\"'");
    }
  }

  private Limits limits() {
    Limits l = Limits.DEFAULTS;
    try {
      if (timeout != null) {
        l = l.withWallTimeout(duration(timeout, "--timeout"));
      }
      if (cpu != null) {
        l = l.withCpuTime(duration(cpu, "--cpu"));
      }
      if (memory != null) {
        l = l.withMemoryMb(memory);
      }
      if (maxOutput != null) {
        l = l.withMaxOutputBytes(maxOutput);
      }
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    return l;
  }

  private Duration duration(String text, String option) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw usage(option + ": " + e.getMessage());
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
