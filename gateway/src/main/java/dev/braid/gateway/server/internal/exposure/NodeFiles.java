package dev.braid.gateway.server.internal.exposure;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Node's rule: {@code path#export} is exposed when the path names a {@code .mjs}, {@code .cjs} or
 * {@code .js} file that is found the way the worker finds it (an absolute path as is, a relative
 * one under each root in order, the first file winning) and whose real path — every {@code ..} and
 * symlink resolved — lies inside a root; or when the operator preloaded that path. Built-ins
 * ({@code node:fs}), URLs ({@code file:}, {@code data:}) and bare package names are refused. Export
 * paths through {@code __proto__}, {@code constructor} or {@code prototype} are refused: they reach
 * {@code Function} and the object machinery, never an exported function.
 */
public final class NodeFiles {
  /** The module files the Node worker loads: JavaScript, and TypeScript through tsx. */
  private static final Pattern MODULE_FILE = Pattern.compile("\\.(mjs|cjs|js|ts|mts|cts)$");

  private static final Set<String> MACHINERY = Set.of("__proto__", "constructor", "prototype");
  private final Roots roots;
  private final Set<String> preloaded;

  public NodeFiles(List<Path> roots, Set<String> preloaded) {
    this.roots = new Roots(roots);
    this.preloaded = Set.copyOf(preloaded);
  }

  public Resolution resolve(String local) {
    int hash = local.lastIndexOf('#');
    if (hash <= 0 || hash == local.length() - 1) {
      return Resolution.refused("'" + local + "' is not of the form path/to/file.mjs#export");
    }
    String file = local.substring(0, hash);
    String export = local.substring(hash + 1);
    for (String part : export.split("\\.", -1)) {
      if (part.isEmpty() || MACHINERY.contains(part)) {
        return Resolution.refused(
            "export path '" + export + "' reaches the object machinery, not an exported function");
      }
    }
    if (file.startsWith("node:")) {
      return Resolution.refused(
          file + " is a Node built-in module, and built-ins are never exposed");
    }
    if (file.indexOf(':') >= 0 || file.indexOf('\\') >= 0) {
      return Resolution.refused(
          "'"
              + file
              + "' is a URL or not a plain file path; only files under the roots are exposed");
    }
    if (!MODULE_FILE.matcher(file).find()) {
      return Resolution.refused(
          "'"
              + file
              + "' is a package or built-in name, not a .mjs/.cjs/.js/.ts file; only files under"
              + " the roots are exposed");
    }
    if (preloaded.contains(file)) {
      return Resolution.ok(local);
    }
    Path given;
    try {
      given = Path.of(file);
    } catch (InvalidPathException e) {
      return Resolution.refused("'" + file + "' is not a valid path");
    }
    Path found = null;
    if (given.isAbsolute()) {
      found = Roots.isFile(given) ? given : null;
    } else {
      for (Roots.Root root : roots.all()) {
        Path candidate = root.given().resolve(given).normalize();
        if (Roots.isFile(candidate)) {
          found = candidate;
          break;
        }
      }
    }
    if (found == null) {
      return Resolution.refused(
          "no file " + file + " under the Node roots (" + roots.describe() + ")");
    }
    Path real = Roots.real(found);
    Roots.Root root = real == null ? null : roots.holding(real);
    if (root == null) {
      return Resolution.refused(
          file + " resolves (after .. and symlinks) to a file outside every Node root");
    }
    String rel = root.real().relativize(real).toString();
    return Resolution.ok(rel + "#" + export);
  }
}
