package dev.braid.gateway.workflow;

import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.api.CatalogEntry;
import dev.braid.api.FunctionRef;
import dev.braid.gateway.workflow.expr.Spelling;
import dev.braid.model.Durations;
import dev.braid.model.Failures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The functions the real workers announce: Python and Node modules are imported by the workers
 * (their catalogs list the public functions of the preloaded modules), Java classes are loaded from
 * the configured classpath. Start the {@link Braid} from a config prepared with {@link #configure},
 * so that every module the workflow calls is preloaded.
 *
 * <p>Thread-safe. {@link #problem} and {@link #kind} block the calling thread until the language's
 * worker has started and sent its catalog (at most {@code timeout}).
 */
public final class WorkerFunctionCatalog implements FunctionCatalog {
  private final Braid braid;
  private final Duration timeout;
  private final Map<String, CompletableFuture<List<CatalogEntry>>> catalogs =
      new ConcurrentHashMap<>();

  /**
   * @param braid started from a config passed through {@link #configure}; not closed by this
   * @param timeout how long to wait for a worker's catalog
   */
  public WorkerFunctionCatalog(Braid braid, Duration timeout) {
    this.braid = braid;
    this.timeout = timeout;
  }

  /**
   * Adds to {@code cfg} what the workers need to find the workflow's functions: the workflow's
   * folder (then those of its sub-workflows) on the Python, Node and Java paths, and a preload of
   * every module referenced. Malformed references are skipped (the checker reports them).
   */
  public static BraidConfig.Builder configure(BraidConfig.Builder cfg, Workflow wf) {
    Path folder = wf.folder();
    Set<String> python = new LinkedHashSet<>();
    Set<String> node = new LinkedHashSet<>();
    for (Located<String> r : wf.functions()) {
      if (WorkflowChecker.syntax(r.value()).isPresent()) {
        continue;
      }
      FunctionRef ref = FunctionRef.parse(r.value());
      if (ref.remote()) {
        continue; // served by a remote pool's workers, with their own modules
      }
      if (ref.language().equals("python")) {
        python.add(ref.local().substring(0, ref.local().indexOf(':')));
      } else if (ref.language().equals("node")) {
        node.add(ref.local().substring(0, ref.local().lastIndexOf('#')));
      }
    }
    cfg.addPythonPath(folder).addNodePath(folder).addJavaClasspath(folder);
    for (Workflow sub : wf.subWorkflows()) {
      // a callee's modules resolve from its own folder, after the caller's
      Path f = sub.folder();
      if (!f.equals(folder)) {
        cfg.addPythonPath(f).addNodePath(f).addJavaClasspath(f);
      }
    }
    python.forEach(m -> cfg.preload("python", m));
    node.forEach(m -> cfg.preload("node", m));
    return cfg;
  }

  @Override
  public Optional<String> problem(String reference) {
    FunctionRef ref = FunctionRef.parse(reference);
    if (ref.remote()) {
      // a remote pool's workers may not be connected at check time: the call itself will say
      return Optional.empty();
    }
    switch (ref.language()) {
      case "java":
        try {
          braid.javaFunctionKind(ref.local());
          return Optional.empty();
        } catch (IllegalArgumentException e) {
          return Optional.of(e.getMessage());
        }
      case "python":
        {
          int colon = ref.local().indexOf(':');
          return lookup(
              "python",
              reference,
              "Python module",
              ref.local().substring(0, colon),
              ref.local().substring(colon + 1),
              ":");
        }
      default:
        {
          int hash = ref.local().lastIndexOf('#');
          return lookup(
              "node",
              reference,
              "Node module",
              ref.local().substring(0, hash),
              ref.local().substring(hash + 1),
              "#");
        }
    }
  }

  @Override
  public Optional<String> kind(String reference) {
    FunctionRef ref = FunctionRef.parse(reference);
    if (ref.remote()) {
      return Optional.empty();
    }
    if (ref.language().equals("java")) {
      try {
        return Optional.of(braid.javaFunctionKind(ref.local()));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    try {
      return entries(ref.language()).stream()
          .filter(e -> e.reference().equals(reference))
          .map(CatalogEntry::kind)
          .findFirst();
    } catch (CatalogUnavailable e) {
      return Optional.empty();
    }
  }

  @Override
  public Optional<List<String>> keywords(String reference) {
    FunctionRef ref = FunctionRef.parse(reference);
    if (ref.remote() || ref.language().equals("java")) {
      return Optional.empty(); // the Java worker refuses unknown names when called
    }
    try {
      return entries(ref.language()).stream()
          .filter(e -> e.reference().equals(reference) && e.keywords() != null)
          .map(CatalogEntry::keywords)
          .findFirst();
    } catch (CatalogUnavailable e) {
      return Optional.empty();
    }
  }

  private Optional<String> lookup(
      String language,
      String reference,
      String what,
      String module,
      String function,
      String separator) {
    List<CatalogEntry> all;
    try {
      all = entries(language);
    } catch (CatalogUnavailable e) {
      return Optional.of("cannot check " + reference + ": " + e.getMessage());
    }
    String prefix = language + ":" + module + separator;
    List<String> names = new ArrayList<>();
    for (CatalogEntry e : all) {
      if (e.reference().equals(reference)) {
        return Optional.empty();
      }
      if (e.reference().startsWith(prefix)) {
        names.add(e.reference().substring(prefix.length()));
      }
    }
    if (names.isEmpty()) {
      String cause = moduleError(language, module);
      if (cause != null) {
        return Optional.of("cannot load " + what + " '" + module + "': " + cause);
      }
      return Optional.of(
          "cannot load "
              + what
              + " '"
              + module
              + "' (looked next to the workflow and on the "
              + (language.equals("python") ? "Python" : "Node")
              + " path), or it defines no public functions");
    }
    if (function.contains(".")) {
      // a class method or a nested export: catalogs list top-level functions only
      return Optional.empty();
    }
    return Optional.of(
        what
            + " '"
            + module
            + "' has no public function '"
            + function
            + "'"
            + Spelling.closest(function, names)
                .map(g -> "; did you mean '" + g + "'?")
                .orElse(" (it has: " + String.join(", ", names) + ")"));
  }

  /** Why the worker could not load {@code module}, as it said in its Hello; null if it did not. */
  private String moduleError(String language, String module) {
    try {
      return braid
          .moduleErrors(language)
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .get(module);
    } catch (ExecutionException | TimeoutException e) {
      return null; // the catalog's own wait already reported an unavailable worker
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private List<CatalogEntry> entries(String language) throws CatalogUnavailable {
    CompletableFuture<List<CatalogEntry>> f = catalogs.computeIfAbsent(language, braid::catalog);
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new CatalogUnavailable(
          "the "
              + language
              + " worker did not start: "
              + Failures.fromThrowable(e.getCause()).headline());
    } catch (TimeoutException e) {
      throw new CatalogUnavailable(
          "the " + language + " worker sent no catalog within " + Durations.format(timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CatalogUnavailable("interrupted");
    }
  }

  private static final class CatalogUnavailable extends Exception {
    private static final long serialVersionUID = 1L;

    CatalogUnavailable(String message) {
      super(message);
    }
  }
}
