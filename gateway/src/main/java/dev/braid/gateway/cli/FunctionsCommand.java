package dev.braid.gateway.cli;

import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.api.CatalogEntry;
import dev.braid.model.Failures;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code braid functions PATH...}: the catalog of every language, one function a line. */
@Command(
    name = "functions",
    mixinStandardHelpOptions = true,
    description = {
      "List the functions in Python and Node modules and Java classes, with their kind",
      "(async, sync, async_generator, generator, callback), one a line:",
      "  REFERENCE  KIND  SIGNATURE"
    },
    footer = {
      "",
      "PATH is a .py/.mjs/.js/.cjs/.ts file or a folder of them (not recursive).",
      "Examples:",
      "  braid functions examples/python examples/node",
      "  braid functions --java-class examples.Recs --java-classpath examples/java/classes"
    })
final class FunctionsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "PATH", description = "modules or folders of modules")
  List<Path> paths = new ArrayList<>();

  @Option(
      names = "--java-class",
      paramLabel = "CLASS",
      description = "a class whose public methods to list (repeatable)")
  List<String> javaClasses = new ArrayList<>();

  @CommandLine.Mixin WorkerOptions options = new WorkerOptions();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    BraidConfig.Builder cfg = options.config();
    List<String> languages = new ArrayList<>();
    for (Path p : paths) {
      if (!Files.exists(p)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "no such file or folder: " + p);
      }
      List<Path> files;
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          files = s.sorted().toList();
        }
      } else {
        files = List.of(p);
      }
      for (Path f : files) {
        String lang = languageOf(f);
        if (lang == null) {
          continue;
        }
        Path dir = f.toAbsolutePath().getParent();
        String name = f.getFileName().toString();
        if (lang.equals("python")) {
          cfg.addPythonPath(dir).preload("python", name.substring(0, name.length() - 3));
        } else {
          cfg.addNodePath(dir).preload("node", name);
        }
        if (!languages.contains(lang)) {
          languages.add(lang);
        }
      }
    }
    if (!javaClasses.isEmpty()) {
      // listed by the Java worker, like the other languages' catalogs
      javaClasses.forEach(c -> cfg.preload("java", c));
      languages.add("java");
    }
    if (languages.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "nothing to list: give modules, folders or --java-class");
    }
    List<CatalogEntry> all = new ArrayList<>();
    try (Braid braid = Braid.start(cfg.build())) {
      for (String lang : languages) {
        try {
          all.addAll(braid.catalog(lang).get(60, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          if (lang.equals("java") && e.getCause() instanceof IllegalArgumentException bad) {
            // a class that is not there is a wrong argument, as before the worker listed them
            throw new CommandLine.ParameterException(spec.commandLine(), bad.getMessage());
          }
          spec.commandLine()
              .getErr()
              .println("error: " + Failures.fromThrowable(e.getCause()).headline());
          return 1;
        }
      }
    }
    int width = all.stream().mapToInt(e -> e.reference().length()).max().orElse(0);
    for (CatalogEntry e : all) {
      out.printf(
          Locale.ROOT, "%-" + width + "s  %-15s  %s%n", e.reference(), e.kind(), e.signature());
    }
    out.flush();
    return 0;
  }

  private static String languageOf(Path f) throws IOException {
    String n = f.getFileName().toString();
    if (n.endsWith(".py") && !n.startsWith("_")) {
      return "python";
    }
    if (n.matches(".*\\.(mjs|js|cjs|ts|mts|cts)") && !n.endsWith(".d.ts")) {
      return "node";
    }
    return null;
  }
}
