package dev.braid.internal.javaworker.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * A folder of the Java classpath seen as a tree of {@code .java} sources: finds the source of a
 * class, and fingerprints every source of the tree (javac with {@code -sourcepath} may compile any
 * sibling the requested source refers to, so a change to any of them must miss the cache).
 * Immutable; reads the disk on each call.
 */
final class SourceTree {
  private final Path root;

  SourceTree(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  Path root() {
    return root;
  }

  /**
   * The top-level class that holds {@code binaryName} ({@code a.b.C$D} is in {@code a.b.C}), or
   * null if the name cannot be a source-declared class.
   */
  static String topLevel(String binaryName) {
    int lastDot = binaryName.lastIndexOf('.');
    int dollar = binaryName.indexOf('$', lastDot + 1);
    String top = dollar > 0 ? binaryName.substring(0, dollar) : binaryName;
    // every segment must be an identifier: the name becomes a path, so no "..", "/", empty parts
    for (String part : top.split("\\.", -1)) {
      if (!isIdentifier(part)) {
        return null;
      }
    }
    return top;
  }

  /** The {@code .java} file declaring the top-level class {@code top}, or null if there is none. */
  Path sourceOf(String top) {
    Path p = root.resolve(top.replace('.', '/') + ".java");
    return Files.isRegularFile(p) ? p : null;
  }

  /** Feeds the relative path and contents of every {@code .java} file, in a stable order. */
  void fingerprint(MessageDigest md) throws IOException {
    List<String> sources = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (dir.equals(root)) {
              return FileVisitResult.CONTINUE;
            }
            // A workflow folder is also a Python/Node folder: .venv, .git and node_modules can
            // hold thousands of files and are never Java packages, so the walk (paid on every
            // cache hit) stays a few stats.
            String name = dir.getFileName().toString();
            return isIdentifier(name) && !name.equals("node_modules")
                ? FileVisitResult.CONTINUE
                : FileVisitResult.SKIP_SUBTREE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && file.getFileName().toString().endsWith(".java")) {
              sources.add(root.relativize(file).toString().replace('\\', '/'));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE; // unreadable corners cannot be compiled either
          }
        });
    sources.sort(null);
    for (String rel : sources) {
      byte[] content = Files.readAllBytes(root.resolve(rel));
      md.update(rel.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(Integer.toString(content.length).getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(content);
    }
  }

  static boolean isIdentifier(String s) {
    if (s.isEmpty() || !Character.isJavaIdentifierStart(s.codePointAt(0))) {
      return false;
    }
    // a loop, not a stream: this runs on the first call, where a cold stream pipeline costs ms
    for (int i = Character.charCount(s.codePointAt(0)); i < s.length(); ) {
      int c = s.codePointAt(i);
      if (!Character.isJavaIdentifierPart(c)) {
        return false;
      }
      i += Character.charCount(c);
    }
    return true;
  }
}
