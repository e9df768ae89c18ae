package dev.braid.internal.javaworker.source;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The class loader of {@code java:} functions: the configured Java classpath (folders, jars), and,
 * for a class {@code a.b.C} found there only as a source {@code a/b/C.java} in one of the folders,
 * that source compiled on first use (see {@link SourceCompiler}, which caches the class files
 * across runs).
 *
 * <p>Class files win over sources: a source is looked for only when no folder or jar has the class.
 * A source that does not compile fails the load with a {@link ClassNotFoundException} whose message
 * holds javac's diagnostics. Parallel capable; a compile blocks only the threads loading that
 * class.
 */
public final class SourceClassLoader extends URLClassLoader {
  static {
    registerAsParallelCapable();
  }

  private final List<SourceTree> trees = new ArrayList<>();
  private final SourceCompiler compiler;
  private final Set<Path> compiledDirs = ConcurrentHashMap.newKeySet();
  private volatile boolean rootsOnly;

  /** Caches compiled sources in {@link SourceCompiler#defaultCacheRoot()}. */
  public SourceClassLoader(List<Path> classpath, ClassLoader parent) {
    this(classpath, parent, SourceCompiler.defaultCacheRoot(), ToolProvider::getSystemJavaCompiler);
  }

  SourceClassLoader(
      List<Path> classpath, ClassLoader parent, Path cacheRoot, Supplier<JavaCompiler> compilers) {
    super(urls(classpath), parent);
    for (Path p : classpath) {
      if (Files.isDirectory(p)) {
        trees.add(new SourceTree(p));
      }
    }
    this.compiler = new SourceCompiler(cacheRoot, compilers, classpath);
    if (!trees.isEmpty()) {
      compiler.warmUp(); // a folder may hold sources: get hashing ready for the first call
    }
  }

  private static URL[] urls(List<Path> paths) {
    List<URL> out = new ArrayList<>();
    for (Path p : paths) {
      out.add(url(p));
    }
    return out.toArray(URL[]::new);
  }

  private static URL url(Path p) {
    try {
      return p.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("bad classpath entry " + p + ": " + e.getMessage(), e);
    }
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    try {
      return super.findClass(name);
    } catch (ClassNotFoundException notCompiled) {
      String top = SourceTree.topLevel(name);
      if (top == null) {
        throw notCompiled;
      }
      for (SourceTree tree : trees) {
        Path source = tree.sourceOf(top);
        if (source == null) {
          continue;
        }
        Path dir = compiler.compiled(tree, source, top);
        // the compiled folder joins the search path, so the siblings javac compiled along (and
        // nested classes) load from it too, without another lookup
        if (compiledDirs.add(dir)) {
          addURL(url(dir));
        }
        try {
          return super.findClass(name);
        } catch (ClassNotFoundException e) {
          throw new JavaSourceException(
              tree.root().relativize(source)
                  + " compiles, but does not declare class "
                  + name
                  + " (a public class must be declared in a file of its own name)");
        }
      }
      throw notCompiled;
    }
  }

  /**
   * When set, {@link #functionClass} accepts only classes this loader defined from its classpath
   * (or compiled from its sources): never a JDK class or one of the gateway's own, which
   * parent-first delegation would otherwise hand out for any name.
   */
  public void rootsOnly(boolean b) {
    rootsOnly = b;
  }

  /**
   * The class of a {@code java:} function, not yet initialized (no static initializer has run).
   *
   * @throws ClassNotFoundException if there is no such class, or, with {@link #rootsOnly}, if it
   *     does not come from this loader's classpath (the message says so)
   */
  public Class<?> functionClass(String name) throws ClassNotFoundException {
    Class<?> c = Class.forName(name, false, this);
    if (rootsOnly && c.getClassLoader() != this) {
      throw new NotExposed(
          name
              + " is not a class of the exposed Java classpath (it comes from the JDK or the"
              + " gateway's own classpath)");
    }
    return c;
  }

  /** A class that exists, but not on the exposed classpath. */
  public static final class NotExposed extends ClassNotFoundException {
    private static final long serialVersionUID = 1L;

    NotExposed(String message) {
      super(message);
    }
  }

  /** True when {@link #rootsOnly} is set. */
  public boolean isRootsOnly() {
    return rootsOnly;
  }

  /** How many times javac ran for this loader (cache hits do not count). */
  long compilations() {
    return compiler.compilations();
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      compiler.close();
    }
  }
}
