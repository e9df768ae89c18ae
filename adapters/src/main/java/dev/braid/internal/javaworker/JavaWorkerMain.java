package dev.braid.internal.javaworker;

import dev.braid.internal.javaworker.source.SourceClassLoader;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The entry point of a Java worker process ({@code java -cp <the gateway's classpath> <this>}),
 * started by the gateway's {@code JavaLauncher}. Everything it needs comes from the environment the
 * launcher builds: {@code BRAID_SOCKET}, {@code BRAID_WORKER_ID}, {@code BRAID_TOKEN}, {@code
 * BRAID_JAVA_CLASSPATH} (the user's {@code --java-classpath}), {@code BRAID_MAX_IN_FLIGHT}, {@code
 * BRAID_MAX_MESSAGE_BYTES} and {@code BRAID_PRELOAD} (the classes of the Hello catalog).
 *
 * <p>Exits 0 after a shutdown or when the gateway closes the stream, 1 when the stream breaks, 2
 * when the environment is incomplete. A function that calls {@code System.exit} ends only this
 * process: the gateway fails its calls {@code UNAVAILABLE} and starts a new worker.
 */
public final class JavaWorkerMain {
  static final int DEFAULT_MAX_IN_FLIGHT = 1024;

  private JavaWorkerMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    JavaWorker.Settings settings;
    try {
      settings =
          new JavaWorker.Settings(
              required(env, "BRAID_SOCKET"),
              required(env, "BRAID_WORKER_ID"),
              token(env),
              positive(env, "BRAID_MAX_IN_FLIGHT", DEFAULT_MAX_IN_FLIGHT),
              positive(env, "BRAID_MAX_MESSAGE_BYTES", 17 << 20),
              preload(env));
    } catch (IllegalArgumentException e) {
      System.err.println("braid java worker: " + e.getMessage());
      System.exit(2);
      return;
    }
    List<Path> classpath = new ArrayList<>();
    for (String p : env.getOrDefault("BRAID_JAVA_CLASSPATH", "").split(File.pathSeparator)) {
      if (!p.isBlank()) {
        classpath.add(Path.of(p));
      }
    }
    int code;
    try (SourceClassLoader loader =
        new SourceClassLoader(classpath, JavaWorkerMain.class.getClassLoader())) {
      loader.rootsOnly("1".equals(env.get("BRAID_JAVA_ROOTS_ONLY")));
      code = new JavaWorker(settings, loader).run();
    }
    // user code may have left non-daemon threads behind: they must not keep the worker alive
    System.exit(code);
  }

  /**
   * The hub token: stdin's first line when {@code BRAID_TOKEN_STDIN=1} (the gateway keeps it out of
   * the environment, which stays readable in /proc/PID/environ), else {@code BRAID_TOKEN}.
   */
  private static String token(Map<String, String> env) {
    if (!"1".equals(env.get("BRAID_TOKEN_STDIN"))) {
      return required(env, "BRAID_TOKEN");
    }
    try {
      byte[] line = new byte[1024];
      int n = 0;
      int b;
      while (n < line.length && (b = System.in.read()) >= 0 && b != '\n') {
        line[n++] = (byte) b;
      }
      String t = new String(line, 0, n, StandardCharsets.UTF_8).strip();
      if (t.isEmpty()) {
        throw new IllegalArgumentException(
            "no hub token on stdin: this program is started by braid");
      }
      return t;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the hub token from stdin: " + e.getMessage());
    }
  }

  /** {@code BRAID_PRELOAD}: comma-separated classes whose functions form the Hello catalog. */
  private static List<String> preload(Map<String, String> env) {
    List<String> classes = new ArrayList<>();
    for (String c : env.getOrDefault("BRAID_PRELOAD", "").split(",")) {
      if (!c.isBlank()) {
        classes.add(c.strip());
      }
    }
    return classes;
  }

  private static String required(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(name + " is not set: this program is started by braid");
    }
    return v;
  }

  private static int positive(Map<String, String> env, String name, int fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 1) {
        throw new IllegalArgumentException(name + " < 1: " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " is not a number: " + v);
    }
  }
}
