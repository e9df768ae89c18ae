package dev.braid.gateway.server.internal.exposure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The folders (or jars) of one language, in search order, each with its real path. A file is inside
 * the roots only if its real path (every symlink and {@code ..} resolved) is under a root's real
 * path: a symlink under a root that points elsewhere leads outside.
 */
final class Roots {
  /** A root as configured and as resolved (null when it does not exist). */
  record Root(Path given, Path real) {}

  private final List<Root> roots;

  Roots(List<Path> paths) {
    List<Root> out = new ArrayList<>();
    for (Path p : paths) {
      Path abs = p.toAbsolutePath().normalize();
      out.add(new Root(abs, real(abs)));
    }
    this.roots = List.copyOf(out);
  }

  List<Root> all() {
    return roots;
  }

  boolean isEmpty() {
    return roots.isEmpty();
  }

  /** The real path of {@code p}, or null if it does not exist. */
  static Path real(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException | SecurityException e) {
      return null;
    }
  }

  static boolean isFile(Path p) {
    return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(p);
  }

  /** The root whose real path holds {@code real}, or null. */
  Root holding(Path real) {
    for (Root r : roots) {
      if (r.real() != null && real.startsWith(r.real()) && !real.equals(r.real())) {
        return r;
      }
    }
    return null;
  }

  /** "a, b" — the roots as given, for messages; or "none configured". */
  String describe() {
    if (roots.isEmpty()) {
      return "none configured";
    }
    StringBuilder sb = new StringBuilder();
    for (Root r : roots) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(r.given().getFileName() == null ? r.given() : r.given().getFileName());
    }
    return sb.toString();
  }
}
