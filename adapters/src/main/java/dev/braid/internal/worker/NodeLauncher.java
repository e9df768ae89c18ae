package dev.braid.internal.worker;

import dev.braid.api.BraidConfig;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts {@code node <braidHome>/node-worker/src/main.mjs}. The program is {@link
 * BraidConfig#nodeExecutable()}, else {@code BRAID_NODE}, else {@code node} on PATH. Modules
 * resolve from the working directory, then the configured node paths ({@code BRAID_NODE_PATH}).
 */
public final class NodeLauncher implements WorkerLauncher {
  private final BraidConfig config;
  private final Map<String, String> gatewayEnv;

  public NodeLauncher(BraidConfig config) {
    this(config, System.getenv());
  }

  NodeLauncher(BraidConfig config, Map<String, String> gatewayEnv) {
    this.config = config;
    this.gatewayEnv = gatewayEnv;
  }

  @Override
  public String language() {
    return "node";
  }

  @Override
  public List<String> command() {
    String node =
        config.nodeExecutable() != null
            ? config.nodeExecutable().toString()
            : gatewayEnv.getOrDefault("BRAID_NODE", "node");
    return List.of(node, config.braidHome().resolve("node-worker/src/main.mjs").toString());
  }

  @Override
  public Map<String, String> environment(String workerId, String token, String socketPath) {
    Map<String, String> env =
        PythonLauncher.baseEnvironment(config, gatewayEnv, workerId, token, socketPath);
    List<String> path = new ArrayList<>();
    if (!config.exposedRootsOnly()) {
      path.add(config.workingDirectory().toString());
    }
    config.nodePaths().forEach(p -> path.add(p.toString()));
    PythonLauncher.putRoots(config, config.nodePaths(), env);
    env.put("BRAID_NODE_PATH", String.join(File.pathSeparator, path));
    PythonLauncher.putPreload(config, "node", env);
    return env;
  }
}
