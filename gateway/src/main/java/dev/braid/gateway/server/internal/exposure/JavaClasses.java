package dev.braid.gateway.server.internal.exposure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

/**
 * Java's rule: {@code pkg.Class#method} is exposed when the class comes from the configured
 * classpath roots — a {@code pkg/Class.class} or {@code pkg/Class.java} (for a nested class, its
 * top-level class's file) in a root folder whose real path stays inside it, or a {@code
 * pkg/Class.class} entry of a root jar — and not from the JDK or the gateway's own classpath, which
 * the function class loader consults first (parent-first delegation), so a root cannot shadow them.
 */
public final class JavaClasses {
  private static final Pattern CLASS =
      Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");
  private static final Pattern METHOD = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
  private static final List<String> PLATFORM =
      List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "dev.braid.");

  private final Roots roots;
  private final ClassLoader gateway;

  public JavaClasses(List<Path> roots) {
    this.roots = new Roots(roots);
    this.gateway = JavaClasses.class.getClassLoader();
  }

  public Resolution resolve(String local) {
    int hash = local.indexOf('#');
    if (hash <= 0 || hash == local.length() - 1) {
      return Resolution.refused("'" + local + "' is not of the form pkg.Class#method");
    }
    String cls = local.substring(0, hash);
    String method = local.substring(hash + 1);
    if (!CLASS.matcher(cls).matches() || !METHOD.matcher(method).matches()) {
      return Resolution.refused("'" + local + "' is not a valid class and method name");
    }
    for (String p : PLATFORM) {
      if (cls.startsWith(p)) {
        return Resolution.refused(
            cls + " belongs to the JDK or to Braid itself, never to the exposed classpath");
      }
    }
    String classFile = cls.replace('.', '/') + ".class";
    if (gateway != null && gateway.getResource(classFile) != null
        || ClassLoader.getPlatformClassLoader().getResource(classFile) != null) {
      return Resolution.refused(
          cls + " resolves to the JDK or the gateway's own classpath, not to --java-classpath");
    }
    int dollar = cls.indexOf('$');
    String top = dollar < 0 ? cls : cls.substring(0, dollar);
    String source = top.replace('.', '/') + ".java";
    for (Roots.Root root : roots.all()) {
      Path r = root.given();
      if (Files.isDirectory(r)) {
        for (String candidate : List.of(classFile, source)) {
          Path f = r.resolve(candidate);
          if (!Roots.isFile(f)) {
            continue;
          }
          Path real = Roots.real(f);
          if (real == null || roots.holding(real) == null) {
            return Resolution.refused(
                cls + " resolves to " + candidate + ", which leads outside every classpath root");
          }
          return Resolution.ok(local);
        }
      } else if (Files.isRegularFile(r) && inJar(r, classFile)) {
        return Resolution.ok(local);
      }
    }
    return Resolution.refused(
        cls + " is not a class of the Java classpath roots (" + roots.describe() + ")");
  }

  private static boolean inJar(Path jar, String entry) {
    try (ZipFile z = new ZipFile(jar.toFile())) {
      return z.getEntry(entry) != null;
    } catch (IOException e) {
      return false;
    }
  }
}
