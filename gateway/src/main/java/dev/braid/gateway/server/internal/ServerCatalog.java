package dev.braid.gateway.server.internal;

import dev.braid.api.Braid;
import dev.braid.api.FunctionRef;
import dev.braid.gateway.workflow.FunctionCatalog;
import dev.braid.gateway.workflow.WorkerFunctionCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The functions a long-lived server can check a workflow against. Its workers started once, with
 * the modules of the {@code --workflows} folder and {@code --preload} imported; those modules are
 * checked against the workers' catalogs. A module that was not preloaded cannot be listed without
 * importing it, so its functions are accepted here and resolved by the worker when called (an
 * unknown one then fails its step with {@code INVALID_ARGUMENT}). Java functions are always
 * checked. Thread-safe; may block on the check executor (a worker's first catalog, a Java source
 * compiled on first use).
 */
final class ServerCatalog implements FunctionCatalog {
  private final WorkerFunctionCatalog workers;
  private final Map<String, Set<String>> preloaded;

  ServerCatalog(Braid braid, Duration timeout) {
    this.workers = new WorkerFunctionCatalog(braid, timeout);
    Map<String, List<String>> p = braid.config().preload();
    this.preloaded =
        Map.of(
            "python", Set.copyOf(p.getOrDefault("python", List.of())),
            "node", Set.copyOf(p.getOrDefault("node", List.of())));
  }

  @Override
  public Optional<String> problem(String reference) {
    return known(reference) ? workers.problem(reference) : Optional.empty();
  }

  @Override
  public Optional<String> kind(String reference) {
    return known(reference) ? workers.kind(reference) : Optional.empty();
  }

  private boolean known(String reference) {
    FunctionRef ref = FunctionRef.parse(reference);
    if (ref.remote()) {
      // a remote pool's catalog is its workers', which may not be connected yet: the call says
      return false;
    }
    String local = ref.local();
    return switch (ref.language()) {
      case "java" -> true;
      case "python" -> preloaded.get("python").contains(local.substring(0, local.indexOf(':')));
      default -> preloaded.get("node").contains(local.substring(0, local.lastIndexOf('#')));
    };
  }
}
