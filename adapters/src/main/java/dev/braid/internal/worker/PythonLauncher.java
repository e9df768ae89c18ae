package dev.braid.internal.worker;

import dev.braid.api.BraidConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts {@code python -m braid_worker}. The interpreter is, in order: {@link
 * BraidConfig#pythonExecutable()}, {@code BRAID_PYTHON}, the project venv ({@code
 * <braidHome>/.venv}), {@code python3} on PATH.
 */
public final class PythonLauncher implements WorkerLauncher {
  /** Passed through from the gateway's environment when set; everything else is dropped. */
  static final List<String> BASE_ALLOWLIST =
      List.of("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR");

  private final BraidConfig config;
  private final Map<String, String> gatewayEnv;
  private final String interpreter;

  public PythonLauncher(BraidConfig config) {
    this(config, System.getenv());
  }

  PythonLauncher(BraidConfig config, Map<String, String> gatewayEnv) {
    this.config = config;
    this.gatewayEnv = gatewayEnv;
    this.interpreter = findInterpreter();
  }

  @Override
  public String language() {
    return "python";
  }

  public String interpreter() {
    return interpreter;
  }

  private String findInterpreter() {
    if (config.pythonExecutable() != null) {
      return config.pythonExecutable().toString();
    }
    String env = gatewayEnv.get("BRAID_PYTHON");
    if (env != null && !env.isBlank()) {
      return env;
    }
    Path venv = config.braidHome().resolve(".venv/bin/python");
    if (Files.isExecutable(venv)) {
      return venv.toString();
    }
    return "python3";
  }

  @Override
  public List<String> command() {
    return List.of(interpreter, "-m", "braid_worker");
  }

  @Override
  public Map<String, String> environment(String workerId, String token, String socketPath) {
    Map<String, String> env = baseEnvironment(config, gatewayEnv, workerId, token, socketPath);
    List<String> path = new ArrayList<>();
    if (!config.exposedRootsOnly()) {
      path.add(config.workingDirectory().toString());
    }
    config.pythonPaths().forEach(p -> path.add(p.toString()));
    putRoots(config, config.pythonPaths(), env);
    // lets a plain interpreter (BRAID_PYTHON, PATH) find the worker package from a checkout
    path.add(config.braidHome().resolve("python-worker/src").toString());
    env.put("PYTHONPATH", String.join(File.pathSeparator, path));
    env.put("PYTHONUNBUFFERED", "1");
    env.put("PYTHONSAFEPATH", "1");
    putPreload(config, "python", env);
    return env;
  }

  /**
   * What every worker gets: the allowlisted part of the gateway's environment, how to reach the
   * hub, its identity, and a quiet log level unless {@code BRAID_LOG_LEVEL} says otherwise.
   */
  static Map<String, String> baseEnvironment(
      BraidConfig config,
      Map<String, String> gatewayEnv,
      String workerId,
      String token,
      String socketPath) {
    Map<String, String> env = new LinkedHashMap<>();
    List<String> allow = new ArrayList<>(BASE_ALLOWLIST);
    allow.addAll(config.envAllowlist());
    for (String name : allow) {
      String v = gatewayEnv.get(name);
      if (v != null) {
        env.put(name, v);
      }
    }
    env.put("BRAID_SOCKET", socketPath);
    env.put("BRAID_WORKER_ID", workerId);
    env.put("BRAID_TOKEN", token);
    env.put("BRAID_LOG_LEVEL", gatewayEnv.getOrDefault("BRAID_LOG_LEVEL", "WARNING"));
    return env;
  }

  /**
   * Adds {@code BRAID_ROOTS} when workers load only from their roots: the worker then refuses, on
   * its own, any reference outside them (defence in depth behind the gateway's policy).
   */
  static void putRoots(BraidConfig config, List<Path> roots, Map<String, String> env) {
    if (config.exposedRootsOnly()) {
      List<String> r = new ArrayList<>();
      roots.forEach(p -> r.add(p.toString()));
      env.put("BRAID_ROOTS", String.join(File.pathSeparator, r));
    }
  }

  /** Adds {@code BRAID_PRELOAD} for {@code language} when modules are configured. */
  static void putPreload(BraidConfig config, String language, Map<String, String> env) {
    List<String> modules = config.preload().getOrDefault(language, List.of());
    if (!modules.isEmpty()) {
      env.put("BRAID_PRELOAD", String.join(",", modules));
    }
  }
}
