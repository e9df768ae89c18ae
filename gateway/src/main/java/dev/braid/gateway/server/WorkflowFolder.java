package dev.braid.gateway.server;

import dev.braid.api.BraidConfig;
import dev.braid.api.FunctionRef;
import dev.braid.gateway.workflow.Located;
import dev.braid.gateway.workflow.ParsedWorkflow;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.gateway.workflow.WorkflowSyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code --workflows} folder of {@code braid serve}: workflow files runnable by name, a name
 * being the file's path in the folder without its extension ({@code dashboard}, {@code
 * billing/charge}). Scanned once at start so that the workers, whose paths cannot change once
 * started, get every folder holding a workflow on their Python, Node and Java paths and import
 * every module the workflows call. Files are read again on each request, so an edited workflow
 * takes effect without a restart (a module it newly calls is resolved when called).
 */
public final class WorkflowFolder {
  static final List<String> EXTENSIONS = List.of(".yaml", ".yml", ".json");
  private static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*");
  private static final int MAX_DEPTH = 8;

  private final Path dir;
  private final List<String> names;
  private final List<String> problems;
  private final Set<Path> folders;
  private final Set<String> pythonModules;
  private final Set<String> nodeModules;

  private WorkflowFolder(
      Path dir,
      List<String> names,
      List<String> problems,
      Set<Path> folders,
      Set<String> pythonModules,
      Set<String> nodeModules) {
    this.dir = dir;
    this.names = List.copyOf(names);
    this.problems = List.copyOf(problems);
    this.folders = folders;
    this.pythonModules = pythonModules;
    this.nodeModules = nodeModules;
  }

  /**
   * Reads every workflow file under {@code dir} (subfolders too, up to 8 deep).
   *
   * @throws IOException if {@code dir} is not a readable folder
   */
  public static WorkflowFolder scan(Path dir) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      throw new IOException("not a folder: " + dir);
    }
    List<String> names = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Set<Path> folders = new LinkedHashSet<>();
    Set<String> python = new LinkedHashSet<>();
    Set<String> node = new LinkedHashSet<>();
    folders.add(root);
    List<Path> files;
    try (Stream<Path> s = Files.walk(root, MAX_DEPTH)) {
      files =
          s.filter(Files::isRegularFile).filter(WorkflowFolder::isWorkflowFile).sorted().toList();
    }
    for (Path f : files) {
      String name = nameOf(root, f);
      if (name == null) {
        continue;
      }
      Workflow wf;
      try {
        wf = ParsedWorkflow.read(f).workflow();
      } catch (WorkflowSyntaxException e) {
        problems.add(root.relativize(f) + ": " + e.getMessage());
        continue;
      }
      if (wf == null) {
        continue;
      }
      names.add(name);
      folders.add(f.getParent());
      for (Located<String> r : wf.functions()) {
        moduleOf(r.value(), python, node);
      }
    }
    return new WorkflowFolder(root, names, problems, folders, python, node);
  }

  private static boolean isWorkflowFile(Path f) {
    String n = f.getFileName().toString();
    return EXTENSIONS.stream().anyMatch(n::endsWith) && !n.startsWith(".");
  }

  private static String nameOf(Path root, Path file) {
    String rel = root.relativize(file).toString().replace('\\', '/');
    String name = rel.substring(0, rel.lastIndexOf('.'));
    return NAME.matcher(name).matches() ? name : null;
  }

  private static void moduleOf(String reference, Set<String> python, Set<String> node) {
    FunctionRef ref;
    try {
      ref = FunctionRef.parse(reference);
    } catch (IllegalArgumentException e) {
      return;
    }
    String local = ref.local();
    if (ref.language().equals("python")) {
      python.add(local.substring(0, local.indexOf(':')));
    } else if (ref.language().equals("node") && local.lastIndexOf('#') > 0) {
      node.add(local.substring(0, local.lastIndexOf('#')));
    }
  }

  /** Adds the folders to the workers' paths and the workflows' modules to their preloads. */
  public BraidConfig.Builder configure(BraidConfig.Builder cfg) {
    for (Path f : folders) {
      cfg.addPythonPath(f).addNodePath(f).addJavaClasspath(f);
    }
    pythonModules.forEach(m -> cfg.preload("python", m));
    nodeModules.forEach(m -> cfg.preload("node", m));
    return cfg;
  }

  public Path dir() {
    return dir;
  }

  /** The runnable names, sorted. */
  public List<String> names() {
    return names;
  }

  /** Files that could not be read as workflows at start, one line each. */
  public List<String> problems() {
    return problems;
  }

  /**
   * The file of the workflow named {@code name} under {@code dir}, if there is one.
   *
   * @throws IllegalArgumentException if {@code name} is not a valid name (no {@code ..}, no
   *     absolute paths: a name never reaches outside the folder)
   */
  public static Optional<Path> find(Path dir, String name) {
    if (!NAME.matcher(name).matches() || name.contains("..")) {
      throw new IllegalArgumentException(
          "invalid workflow name '"
              + name
              + "': use the file's path in the workflows folder without its extension,"
              + " e.g. 'dashboard' or 'billing/charge'");
    }
    for (String ext : EXTENSIONS) {
      Path f = dir.resolve(name + ext).normalize();
      if (f.startsWith(dir) && Files.isRegularFile(f)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** The runnable names under {@code dir} now, sorted (for "not found" messages). */
  public static List<String> list(Path dir) {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir, MAX_DEPTH)) {
      s.filter(Files::isRegularFile)
          .filter(WorkflowFolder::isWorkflowFile)
          .map(f -> nameOf(dir, f))
          .filter(n -> n != null)
          .sorted()
          .forEach(out::add);
    } catch (IOException e) {
      // an unreadable folder lists nothing; the caller's message still names the workflow
    }
    return out;
  }
}
