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
import java.util.Comparator;
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
      "PATH is a .py/.mjs/.js/.cjs file or a folder of them (not recursive).",
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
    if (languages.isEmpty() && javaClasses.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "nothing to list: give modules, folders or --java-class");
    }
    List<CatalogEntry> all = new ArrayList<>();
    try (Braid braid = Braid.start(cfg.build())) {
      for (String lang : languages) {
        try {
          all.addAll(braid.catalog(lang).get(60, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          spec.commandLine()
              .getErr()
              .println("error: " + Failures.fromThrowable(e.getCause()).headline());
          return 1;
        }
      }
      for (String cls : javaClasses) {
        all.addAll(javaCatalog(braid, cls));
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

  private List<CatalogEntry> javaCatalog(Braid braid, String cls) {
    List<CatalogEntry> out = new ArrayList<>();
    Class<?> c;
    try {
      c = Class.forName(cls, false, braid.javaClassLoader());
    } catch (ClassNotFoundException e) {
      // a .java source that does not compile says so (with javac's file:line:col); a class that
      // is nowhere keeps the plain message
      String why =
          e.getMessage() != null && !e.getMessage().equals(cls)
              ? e.getMessage()
              : "class " + cls + " is not on the classpath (see --java-classpath)";
      throw new CommandLine.ParameterException(spec.commandLine(), why);
    }
    for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
      if (!java.lang.reflect.Modifier.isPublic(m.getModifiers()) || m.isSynthetic()) {
        continue;
      }
      String local = cls + "#" + m.getName();
      try {
        out.add(new CatalogEntry("java:" + local, braid.javaFunctionKind(local), signature(m), ""));
      } catch (IllegalArgumentException e) {
        // overloaded or not callable: not a function Braid can call
      }
    }
    out.sort(Comparator.comparing(CatalogEntry::reference));
    return out;
  }

  private static String signature(java.lang.reflect.Method m) {
    StringBuilder sb = new StringBuilder("(");
    for (java.lang.reflect.Parameter p : m.getParameters()) {
      if (p.getType().getName().equals("dev.braid.api.CallContext")) {
        continue;
      }
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(p.getType().getSimpleName()).append(' ').append(p.getName());
    }
    return sb.append(") -> ").append(m.getReturnType().getSimpleName()).toString();
  }

  private static String languageOf(Path f) throws IOException {
    String n = f.getFileName().toString();
    if (n.endsWith(".py") && !n.startsWith("_")) {
      return "python";
    }
    if (n.endsWith(".mjs") || n.endsWith(".js") || n.endsWith(".cjs")) {
      return "node";
    }
    return null;
  }
}
