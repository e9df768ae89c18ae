package dev.braid.gateway.server.internal.exposure;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Python's rule: {@code module:function} is exposed when the module is a source file under a root —
 * {@code a/b.py} or {@code a/b/__init__.py} for {@code a.b}, the first root that has it winning, as
 * the worker's import path orders them — whose real path stays inside a root; or when the operator
 * preloaded the module by name. The standard library, site-packages and anything else not found
 * this way are refused, even when a root happens to hold a virtualenv (its modules sit under {@code
 * lib/pythonX.Y/site-packages}, never at a root's top). Function names with a part starting with
 * {@code _} (private names, {@code __globals__}, {@code __builtins__}) are refused; that a function
 * is defined in the module and not imported into it is checked by the worker, which has the module.
 */
public final class PythonModules {
  private final Roots roots;
  private final Set<String> preloaded;

  public PythonModules(List<Path> roots, Set<String> preloaded) {
    this.roots = new Roots(roots);
    this.preloaded = Set.copyOf(preloaded);
  }

  /** Resolves {@code module:function} (already checked by {@code FunctionRef.parse}). */
  public Resolution resolve(String local) {
    int colon = local.indexOf(':');
    String module = local.substring(0, colon);
    String function = local.substring(colon + 1);
    if (!identifiers(module) || !identifiers(function)) {
      return Resolution.refused("'" + local + "' has an empty name between dots");
    }
    for (String part : function.split("\\.")) {
      if (part.startsWith("_")) {
        return Resolution.refused(
            "'" + part + "' starts with '_': private and special names are never exposed");
      }
    }
    if (preloaded.contains(module)) {
      return Resolution.ok(local);
    }
    String rel = module.replace('.', '/');
    for (Roots.Root root : roots.all()) {
      for (String candidate : List.of(rel + ".py", rel + "/__init__.py")) {
        Path file = root.given().resolve(candidate);
        if (!Roots.isFile(file)) {
          continue;
        }
        Path real = Roots.real(file);
        if (real == null || roots.holding(real) == null) {
          return Resolution.refused(
              module + " resolves to " + candidate + " in a root, which leads outside every root");
        }
        return Resolution.ok(local);
      }
    }
    return Resolution.refused(
        module
            + " is not a module file under the Python roots ("
            + roots.describe()
            + "), so it resolves to the standard library, site-packages or nothing");
  }

  private static boolean identifiers(String dotted) {
    for (String part : dotted.split("\\.", -1)) {
      if (part.isEmpty()) {
        return false;
      }
    }
    return true;
  }
}
