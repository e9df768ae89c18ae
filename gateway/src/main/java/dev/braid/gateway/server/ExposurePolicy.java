package dev.braid.gateway.server;

import dev.braid.api.BraidConfig;
import dev.braid.api.FunctionRef;
import dev.braid.gateway.server.internal.exposure.JavaClasses;
import dev.braid.gateway.server.internal.exposure.NodeFiles;
import dev.braid.gateway.server.internal.exposure.PythonModules;
import dev.braid.gateway.server.internal.exposure.RefGlob;
import dev.braid.gateway.server.internal.exposure.Resolution;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which functions {@code braid serve} lets a client reach: only those of modules, files and classes
 * under the operator's roots ({@code --python-path}, {@code --node-path}, {@code --java-classpath},
 * the folders of {@code --workflows}) and of modules named with {@code --preload}; and, when an
 * expose file is given, only those that also match one of its glob patterns. Everything else — the
 * standard library, site-packages, Node built-ins and packages, files outside the roots (after
 * {@code ..} and symlinks), JDK and gateway classes — is refused with a sentence naming the rule.
 *
 * <p>The decision is made from the file system alone, in the gateway, before any worker is asked:
 * nothing is imported or loaded to decide. The working directory is not a root unless given. The
 * workers check the same roots again on their own (defence in depth, see docs/api.md).
 *
 * <p>Immutable and thread-safe. A decision reads the file system (a few {@code stat}s), so an edit
 * under a root takes effect for the next request.
 */
public final class ExposurePolicy {
  /** The longest reference considered (longer ones are refused unread). */
  public static final int MAX_REFERENCE = 1024;

  private final PythonModules python;
  private final NodeFiles node;
  private final JavaClasses java;
  private final List<RefGlob> patterns;
  private final List<String> httpHosts;

  private ExposurePolicy(
      PythonModules python,
      NodeFiles node,
      JavaClasses java,
      List<RefGlob> patterns,
      List<String> httpHosts) {
    this.python = python;
    this.node = node;
    this.java = java;
    this.patterns = patterns;
    this.httpHosts = httpHosts;
  }

  /**
   * This policy letting a client's inline workflow make {@code http} requests to hosts matching
   * {@code patterns} ({@code braid serve --allow-http}; see {@link
   * dev.braid.gateway.workflow.HttpUrls#allowed}). Without it an inline workflow makes none: the
   * gateway must not become a client's way into the operator's network (SSRF).
   */
  public ExposurePolicy allowHttp(List<String> patterns) {
    return new ExposurePolicy(python, node, java, this.patterns, List.copyOf(patterns));
  }

  /** The host patterns an inline workflow's {@code http} steps may reach; empty: none. */
  public List<String> httpHosts() {
    return httpHosts;
  }

  /**
   * The policy of a server whose workers run with {@code config}: its Python, Node and Java paths
   * are the roots (never its working directory).
   *
   * @param preloaded modules the operator named explicitly ({@code python:MODULE}, {@code
   *     node:FILE}): exposed even outside the roots
   * @param patterns glob patterns of function references a call must also match, or null for no
   *     such filter (see {@link #readPatterns})
   */
  public static ExposurePolicy of(
      BraidConfig config, List<String> preloaded, List<String> patterns) {
    Set<String> pyPre = new HashSet<>();
    Set<String> nodePre = new HashSet<>();
    for (String p : preloaded) {
      if (p.startsWith("python:")) {
        pyPre.add(p.substring("python:".length()));
      } else if (p.startsWith("node:")) {
        nodePre.add(p.substring("node:".length()));
      }
    }
    List<RefGlob> globs = null;
    if (patterns != null) {
      globs = new ArrayList<>();
      for (String p : patterns) {
        globs.add(RefGlob.compile(p));
      }
    }
    return new ExposurePolicy(
        new PythonModules(config.pythonPaths(), pyPre),
        new NodeFiles(config.nodePaths(), nodePre),
        new JavaClasses(config.javaClasspath()),
        globs == null ? null : List.copyOf(globs),
        List.of());
  }

  /** The policy of {@code config} with no explicit preloads and no pattern filter. */
  public static ExposurePolicy of(BraidConfig config) {
    return of(config, List.of(), null);
  }

  /**
   * Reads an expose file: one glob pattern of function references a line ({@code python:pricing:*},
   * {@code node:lib/*.mjs#*}, {@code java:com.acme.**}); blank lines and lines starting with {@code
   * #} are skipped. {@code *} matches any run of characters but {@code /}, {@code **} any run at
   * all, {@code ?} one character but {@code /}.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException naming the line of a pattern that is not a valid pattern, or
   *     if the file holds none
   */
  public static List<String> readPatterns(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    int n = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      n++;
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      try {
        RefGlob.compile(t);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ":" + n + ": " + e.getMessage());
      }
      out.add(t);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          "expose file " + file + " holds no pattern (nothing would be callable)");
    }
    return out;
  }

  /**
   * Why {@code reference} may not be called, as one sentence for the client; empty if it may. Never
   * throws: a malformed reference is refused too.
   */
  public Optional<String> refusal(String reference) {
    if (reference == null || reference.indexOf('\0') >= 0) {
      return Optional.of("a function reference must not contain a NUL character");
    }
    if (reference.length() > MAX_REFERENCE) {
      return Optional.of(
          "a function reference longer than " + MAX_REFERENCE + " characters is never exposed");
    }
    FunctionRef ref;
    try {
      ref = FunctionRef.parse(reference);
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    if (ref.remote()) {
      return remoteRefusal(reference);
    }
    Resolution r =
        switch (ref.language()) {
          case "python" -> python.resolve(ref.local());
          case "node" -> node.resolve(ref.local());
          default -> java.resolve(ref.local());
        };
    if (r.refusal() != null) {
      return Optional.of(reference + " is outside the exposed roots: " + r.refusal());
    }
    if (patterns != null) {
      String canonical = ref.language() + ":" + r.canonical();
      boolean matched = false;
      for (RefGlob g : patterns) {
        matched |= g.matches(canonical) || g.matches(reference);
      }
      if (!matched) {
        return Optional.of(
            reference
                + " is not exposed: "
                + (canonical.equals(reference) ? "it" : "it (" + canonical + ")")
                + " matches no pattern of the server's expose file");
      }
    }
    return Optional.empty();
  }

  /**
   * A remote pool's function lives on the worker's machine, under the roots that worker was started
   * with ({@code --root}), which it enforces itself: the gateway's roots say nothing about it. The
   * expose file, when there is one, must still match the reference as written ({@code
   * python@gpu:*}).
   */
  private Optional<String> remoteRefusal(String reference) {
    if (patterns == null) {
      return Optional.empty();
    }
    for (RefGlob g : patterns) {
      if (g.matches(reference)) {
        return Optional.empty();
      }
    }
    return Optional.of(
        reference + " is not exposed: it matches no pattern of the server's expose file");
  }

  /** True when {@code reference} may be called. */
  public boolean allows(String reference) {
    return refusal(reference).isEmpty();
  }
}
