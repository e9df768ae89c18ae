package dev.braid.internal.javaworker.source;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.CallContext;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles the {@code .java} source of a class with the JDK's javac into a per-user cache, so later
 * runs (and other processes) load the class files instead of compiling again: a hit costs a walk
 * and a hash of the tree's sources, a miss a javac run (about a second cold).
 *
 * <p>An entry is {@code <root>/<fingerprint>/<class>/}; the fingerprint covers every source of the
 * tree, the Java version, the options, the configured classpath and Braid's build (see {@link
 * #salt()}). An entry appears by an atomic rename of a finished temp folder, so readers never see
 * half an entry and two processes compiling the same one at once both succeed (the loser drops its
 * copy).
 *
 * <p>Thread-safe; callers serialize per class name (the class loader's lock), different classes may
 * compile at once.
 */
final class SourceCompiler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SourceCompiler.class);
  private static final int MAX_ERRORS = 20;
  private static final List<String> FLAGS =
      List.of(
          "-parameters",
          "--release",
          "17",
          // processors found on the class path would run arbitrary code and slow javac down
          "-proc:none",
          "-implicit:class",
          "-encoding",
          "UTF-8",
          "-nowarn");

  private final Path cacheRoot;
  private final Supplier<JavaCompiler> compilers;
  private final List<Path> userClasspath;
  private final AtomicLong compilations = new AtomicLong();
  // Sources that failed, with the fingerprint they failed at: a broken function is not recompiled
  // on every call, but an edit (new fingerprint) is tried again.
  private final Map<Path, Failed> failures = new ConcurrentHashMap<>();
  private volatile String classpath;
  private volatile String salt;
  private Path privateRoot; // guarded by this: used when cacheRoot is not writable

  private record Failed(String fingerprint, String message) {}

  /**
   * @param cacheRoot where entries live (see {@link #defaultCacheRoot()})
   * @param compilers the system compiler, or null on a JRE
   * @param userClasspath the configured Java classpath: sources may use its jars and classes
   */
  SourceCompiler(Path cacheRoot, Supplier<JavaCompiler> compilers, List<Path> userClasspath) {
    this.cacheRoot = cacheRoot;
    this.compilers = compilers;
    this.userClasspath = List.copyOf(userClasspath);
  }

  /**
   * System property {@code braid.javaCache}, else {@code $XDG_CACHE_HOME/braid/java}, else {@code
   * ~/.cache/braid/java}.
   */
  static Path defaultCacheRoot() {
    String explicit = System.getProperty("braid.javaCache");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit).toAbsolutePath();
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    // the XDG spec says to ignore relative values
    Path base =
        xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("braid").resolve("java");
  }

  /**
   * Readies the hit path on a daemon thread: the first digest in a JVM costs 40-70 ms (security
   * providers, then SHA-256's byte-array views), and the salt a few ms more, against ~7 ms to load
   * a class file. Done while Braid starts, that is off the first call's path. Fire and forget: a
   * call that comes first just pays the cost itself (the fields it fills are idempotent).
   */
  void warmUp() {
    Thread t =
        new Thread(
            () -> {
              try {
                MessageDigest.getInstance("SHA-256")
                    .digest(salt().getBytes(StandardCharsets.UTF_8));
              } catch (NoSuchAlgorithmException e) {
                // fingerprint() reports it where it matters
              }
            },
            "braid-java-warmup");
    t.setDaemon(true);
    t.start();
  }

  /** How many times javac ran (hits do not count). */
  long compilations() {
    return compilations.get();
  }

  /**
   * The folder holding the compiled classes of {@code top} (declared in {@code source} under {@code
   * tree}) and of the siblings it uses, compiling on a miss.
   *
   * @throws JavaSourceException the source does not compile, or there is no compiler
   */
  Path compiled(SourceTree tree, Path source, String top) throws JavaSourceException {
    String rel = tree.root().relativize(source).toString();
    String fingerprint = fingerprint(tree, rel);
    Failed failed = failures.get(source);
    if (failed != null && failed.fingerprint().equals(fingerprint)) {
      throw new JavaSourceException(failed.message());
    }
    Path shared = cacheRoot.resolve(fingerprint).resolve(top);
    if (Files.isDirectory(shared)) {
      return shared;
    }
    Path own = privateEntry(fingerprint, top);
    if (own != null && Files.isDirectory(own)) {
      return own;
    }
    JavaCompiler javac = compilers.get();
    if (javac == null) {
      throw new JavaSourceException(
          "class "
              + top
              + " exists only as the source "
              + source
              + ", and this Java runtime ("
              + System.getProperty("java.home")
              + ") has no compiler: a JDK is needed to run .java sources; run Braid on a JDK, or"
              + " compile them yourself (javac -parameters) and put the class files on the Java"
              + " classpath");
    }
    Path tmp;
    try {
      tmp = Files.createTempDirectory(Files.createDirectories(shared.getParent()), ".tmp-" + top);
    } catch (IOException | SecurityException e) {
      log.debug("cache {} not writable ({}), compiling into a private temp folder", cacheRoot, e);
      Path parent = privateParent(fingerprint, rel);
      shared = parent.resolve(top);
      try {
        tmp = Files.createTempDirectory(parent, ".tmp-" + top);
      } catch (IOException e2) {
        throw new JavaSourceException("cannot compile " + rel + ": " + e2, e2);
      }
    }
    try {
      compile(javac, tree, source, rel, tmp, fingerprint);
      publish(tmp, shared);
      return shared;
    } finally {
      deleteTree(tmp); // gone already after a successful rename
    }
  }

  private void compile(
      JavaCompiler javac, SourceTree tree, Path source, String rel, Path out, String fingerprint)
      throws JavaSourceException {
    long start = System.nanoTime();
    compilations.incrementAndGet();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    List<String> opts = new ArrayList<>(List.of("-classpath", javacClasspath()));
    opts.addAll(FLAGS);
    opts.addAll(List.of("-sourcepath", tree.root().toString(), "-d", out.toString()));
    boolean ok;
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      // javac's own chatter (notes about unchecked operations and the like) is not for the user
      StringWriter chatter = new StringWriter();
      ok =
          javac
              .getTask(chatter, files, diagnostics, opts, null, files.getJavaFileObjects(source))
              .call();
    } catch (IOException | RuntimeException e) {
      throw new JavaSourceException("cannot compile " + rel + ": " + e, e);
    }
    if (!ok) {
      String message = describe(tree, rel, diagnostics.getDiagnostics());
      // an interrupted compile fails for reasons that say nothing about the source
      if (!Thread.currentThread().isInterrupted()) {
        failures.put(source, new Failed(fingerprint, message));
      }
      throw new JavaSourceException(message);
    }
    failures.remove(source);
    log.debug(
        "compiled {} under {} in {} ms", rel, tree.root(), (System.nanoTime() - start) / 1_000_000);
  }

  /** {@code rel does not compile:} then one {@code File.java:LINE:COL: message} per error. */
  private static String describe(
      SourceTree tree, String rel, List<Diagnostic<? extends JavaFileObject>> diagnostics) {
    StringBuilder sb = new StringBuilder(rel).append(" does not compile:");
    int errors = 0;
    for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
      if (d.getKind() != Diagnostic.Kind.ERROR) {
        continue;
      }
      if (++errors > MAX_ERRORS) {
        continue;
      }
      sb.append("\n  ");
      if (d.getSource() != null) {
        Path file = Path.of(d.getSource().toUri());
        sb.append(file.startsWith(tree.root()) ? tree.root().relativize(file) : file);
        if (d.getLineNumber() != Diagnostic.NOPOS) {
          sb.append(':').append(d.getLineNumber()).append(':').append(d.getColumnNumber());
        }
        sb.append(": ");
      }
      // javac's multi-line messages (symbol:, location:) stay under their error
      sb.append(d.getMessage(Locale.ROOT).replace("\n", "\n    "));
    }
    if (errors > MAX_ERRORS) {
      sb.append("\n  ... and ").append(errors - MAX_ERRORS).append(" more errors");
    }
    return sb.toString();
  }

  /** Renames the finished {@code tmp} to {@code entry}; an entry published meanwhile wins. */
  static void publish(Path tmp, Path entry) throws JavaSourceException {
    try {
      Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // another process (or loader) renamed its copy first: same inputs, same classes
      if (!Files.isDirectory(entry)) {
        throw new JavaSourceException("cannot store compiled classes in " + entry + ": " + e, e);
      }
    }
  }

  /** The key of an entry: the tree's sources plus everything else that changes javac's output. */
  private String fingerprint(SourceTree tree, String rel) throws JavaSourceException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    md.update(salt().getBytes(StandardCharsets.UTF_8));
    try {
      tree.fingerprint(md);
    } catch (IOException e) {
      throw new JavaSourceException("cannot read the sources of " + rel + ": " + e, e);
    }
    // 128 bits are plenty to tell source trees apart, and keep paths short
    return HexFormat.of().formatHex(md.digest(), 0, 16);
  }

  /**
   * What else decides javac's output: the Java version, the options, the configured classpath, and
   * which build of Braid's API the sources compile against. Not the JVM's whole class path: under a
   * test runner it names a fresh temp jar every run, and each run would leave a new cache entry.
   */
  private String salt() {
    String s = salt;
    if (s == null) {
      List<String> parts = new ArrayList<>();
      // the property, not Runtime.version(), whose toString runs a cold stream pipeline
      parts.add(System.getProperty("java.runtime.version"));
      parts.addAll(FLAGS);
      userClasspath.forEach(p -> parts.add(p.toString()));
      Path braid = location(CallContext.class);
      if (braid != null) {
        // a rebuilt or upgraded Braid may have changed the API that compiled classes link to
        parts.add(braid + "@" + braid.toFile().lastModified());
      }
      s = String.join("\0", parts);
      salt = s;
    }
    return s;
  }

  /**
   * The class path javac gets: built lazily, since most runs never compile and start-up time
   * matters.
   */
  private String javacClasspath() {
    String cp = classpath;
    if (cp == null) {
      cp = classpath();
      classpath = cp;
    }
    return cp;
  }

  /**
   * The JVM's class path, Braid's own jars (the JVM's class path does not hold them when Braid is
   * embedded behind another class loader), then the configured Java classpath.
   */
  private String classpath() {
    Set<String> entries = new LinkedHashSet<>();
    String jvm = System.getProperty("java.class.path", "");
    for (String e : jvm.split(File.pathSeparator)) {
      if (!e.isEmpty()) {
        entries.add(e);
      }
    }
    for (Class<?> c :
        List.of(CallContext.class, JsonNode.class, JsonParser.class, JsonProperty.class)) {
      Path p = location(c);
      if (p != null) {
        entries.add(p.toString());
      }
    }
    userClasspath.forEach(p -> entries.add(p.toString()));
    return String.join(File.pathSeparator, entries);
  }

  /** The jar or folder {@code c} was loaded from, or null if that is not a local file. */
  private static Path location(Class<?> c) {
    CodeSource cs = c.getProtectionDomain().getCodeSource();
    if (cs == null || cs.getLocation() == null || !"file".equals(cs.getLocation().getProtocol())) {
      return null;
    }
    try {
      return Path.of(cs.getLocation().toURI());
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null; // an odd code source: the JVM's class path usually has the jar anyway
    }
  }

  private synchronized Path privateEntry(String fingerprint, String top) {
    return privateRoot == null ? null : privateRoot.resolve(fingerprint).resolve(top);
  }

  /**
   * A temp folder of this process only: a shared temp folder could be written by another user and
   * hand us their class files.
   */
  private synchronized Path privateParent(String fingerprint, String rel)
      throws JavaSourceException {
    try {
      if (privateRoot == null) {
        privateRoot = Files.createTempDirectory("braid-java-");
      }
      return Files.createDirectories(privateRoot.resolve(fingerprint));
    } catch (IOException e) {
      throw new JavaSourceException("cannot compile " + rel + ": no writable folder: " + e, e);
    }
  }

  /** Deletes the private temp folder, if one was needed. */
  @Override
  public synchronized void close() {
    if (privateRoot != null) {
      deleteTree(privateRoot);
      privateRoot = null;
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder()).forEach(SourceCompiler::deleteQuietly);
    } catch (IOException e) {
      log.debug("cannot delete {}: {}", root, e.toString());
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.debug("cannot delete {}: {}", p, e.toString());
    }
  }
}
