package dev.braid.internal.worker;

import dev.braid.api.BraidConfig;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a Java worker process: {@code <java.home>/bin/java -cp <the gateway's own classpath>
 * dev.braid.internal.javaworker.JavaWorkerMain}, so it works from the shaded {@code braid.jar} and
 * from {@code target/classes} alike. The user's Java classpath goes in {@code
 * BRAID_JAVA_CLASSPATH}; the environment is cleared like every worker's (DESIGN §6).
 *
 * <p>Running exposed Java functions in their own JVM is what keeps {@code System.exit} or {@code
 * Runtime.halt} in one of them from ending the gateway. It assumes the gateway was started from a
 * plain classpath ({@code java.class.path}), as the CLI and tests are.
 */
public final class JavaLauncher implements WorkerLauncher {
  static final String MAIN = "dev.braid.internal.javaworker.JavaWorkerMain";

  private final BraidConfig config;
  private final Map<String, String> gatewayEnv;

  public JavaLauncher(BraidConfig config) {
    this(config, System.getenv());
  }

  JavaLauncher(BraidConfig config, Map<String, String> gatewayEnv) {
    this.config = config;
    this.gatewayEnv = gatewayEnv;
  }

  @Override
  public String language() {
    return "java";
  }

  @Override
  public List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // a worker that runs out of memory is replaced rather than left half-broken
    cmd.add("-XX:+ExitOnOutOfMemoryError");
    // its own log lines reach the gateway's log through stderr; keep them to warnings
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    String cache = System.getProperty("braid.javaCache");
    if (cache != null && !cache.isBlank()) {
      // compiled .java sources are shared with the gateway's checks
      cmd.add("-Dbraid.javaCache=" + cache);
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MAIN);
    return cmd;
  }

  @Override
  public Map<String, String> environment(String workerId, String token, String socketPath) {
    Map<String, String> env =
        PythonLauncher.baseEnvironment(config, gatewayEnv, workerId, token, socketPath);
    List<String> cp = new ArrayList<>();
    config.javaClasspath().forEach(p -> cp.add(p.toString()));
    env.put("BRAID_JAVA_CLASSPATH", String.join(File.pathSeparator, cp));
    if (config.exposedRootsOnly()) {
      // braid serve: the worker's class loader hands out only classes of the classpath roots
      env.put("BRAID_JAVA_ROOTS_ONLY", "1");
    }
    env.put("BRAID_MAX_MESSAGE_BYTES", String.valueOf(config.maxPayloadBytes() + (1 << 20)));
    PythonLauncher.putPreload(config, "java", env); // classes whose functions the Hello lists
    String xdg = gatewayEnv.get("XDG_CACHE_HOME");
    if (xdg != null && !env.containsKey("XDG_CACHE_HOME")) {
      env.put("XDG_CACHE_HOME", xdg); // where compiled .java sources are cached, as in the gateway
    }
    return env;
  }
}
