package dev.braid.internal.javaworker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.braid.proto.worker.v1.FunctionInfo;
import dev.braid.proto.worker.v1.FunctionKind;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns {@code pkg.Class#method} references into callable {@link JavaMethod}s, cached per
 * reference, and lists the functions of preloaded classes for the Hello catalog: the Java side of
 * {@code _resolve.py} and {@code resolve.mjs}. Thread-safe.
 */
public final class JavaResolver {
  private final ClassLoader loader;
  private final ObjectMapper json;
  private final ConcurrentHashMap<String, JavaMethod> methods = new ConcurrentHashMap<>();

  public JavaResolver(ClassLoader loader, ObjectMapper json) {
    this.loader = loader;
    this.json = json;
  }

  /** The method for {@code ref}, resolved (class initialized, instance made) on first use. */
  JavaMethod resolve(String ref) throws JavaMethod.UnknownFunction {
    JavaMethod m = methods.get(ref);
    if (m == null) {
      m = JavaMethod.resolve(ref, loader, json);
      JavaMethod prev = methods.putIfAbsent(ref, m);
      m = prev != null ? prev : m;
    }
    return m;
  }

  /** Resolves a reference now, for checks; throws IllegalArgumentException with a sentence. */
  public String kindOf(String ref) {
    try {
      return resolve(ref).kind();
    } catch (JavaMethod.UnknownFunction e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  /**
   * The kind of {@code ref} without running any of its code (the class is not initialized, no
   * instance is made); throws IllegalArgumentException with a sentence for unknown functions.
   */
  public static String inspectKind(String ref, ClassLoader loader, ObjectMapper json) {
    try {
      return JavaMethod.inspect(ref, loader, json).kind();
    } catch (JavaMethod.UnknownFunction e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  /**
   * The catalog of {@code classes}: every public method Braid can call (overloaded names and
   * methods it cannot call are left out), sorted by reference. Unlike Python's preload, which logs
   * a module that fails to import, a class that cannot be loaded throws IllegalArgumentException
   * with a sentence ({@code braid functions} reports it as an error rather than an empty list).
   */
  public List<FunctionInfo> preload(List<String> classes) {
    List<FunctionInfo> catalog = new ArrayList<>();
    for (String cls : classes) {
      catalog.addAll(functionsOf(cls));
    }
    return catalog;
  }

  private List<FunctionInfo> functionsOf(String cls) {
    Class<?> c;
    try {
      c = Class.forName(cls, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      // a .java source that does not compile says so (with javac's file:line:col); a class that
      // is nowhere keeps the plain message
      String why =
          e.getMessage() != null && !e.getMessage().equals(cls)
              ? e.getMessage()
              : "class " + cls + " is not on the classpath (see --java-classpath)";
      throw new IllegalArgumentException(why);
    }
    List<FunctionInfo> out = new ArrayList<>();
    for (Method m : c.getDeclaredMethods()) {
      if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic()) {
        continue;
      }
      String ref = cls + "#" + m.getName();
      JavaMethod jm;
      try {
        jm = resolve(ref);
      } catch (JavaMethod.UnknownFunction e) {
        continue; // overloaded or not callable: not a function Braid can call
      }
      out.add(
          FunctionInfo.newBuilder()
              .setName(ref)
              .setKind(FunctionKind.valueOf(jm.kind().toUpperCase(Locale.ROOT)))
              .setSignature(jm.displaySignature())
              .build());
    }
    out.sort(Comparator.comparing(FunctionInfo::getName));
    return out;
  }
}
