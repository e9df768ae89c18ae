package dev.braid.gateway.cli;

import dev.braid.api.BraidConfig;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Where functions are found, shared by every command that starts workers. Each option adds to what
 * its environment variable says: {@code BRAID_PYTHONPATH}, {@code BRAID_NODE_PATH}, {@code
 * BRAID_CLASSPATH} (each a {@code :}-separated list). The current directory always comes first.
 */
final class WorkerOptions {
  @Option(
      names = "--python-path",
      paramLabel = "DIR",
      description = "folder to find Python modules in (repeatable)")
  List<Path> pythonPaths = new ArrayList<>();

  @Option(
      names = "--node-path",
      paramLabel = "DIR",
      description = "folder to find Node modules in (repeatable)")
  List<Path> nodePaths = new ArrayList<>();

  @Option(
      names = {"--java-classpath", "--cp"},
      paramLabel = "PATH",
      split = ":",
      description = "folders or jars with java: functions (repeatable, or :-separated)")
  List<Path> javaClasspath = new ArrayList<>();

  /** A config builder with these paths and the environment's. */
  BraidConfig.Builder config() {
    BraidConfig.Builder cfg = BraidConfig.builder();
    pythonPaths.forEach(cfg::addPythonPath);
    fromEnv("BRAID_PYTHONPATH").forEach(cfg::addPythonPath);
    nodePaths.forEach(cfg::addNodePath);
    fromEnv("BRAID_NODE_PATH").forEach(cfg::addNodePath);
    javaClasspath.forEach(cfg::addJavaClasspath);
    fromEnv("BRAID_CLASSPATH").forEach(cfg::addJavaClasspath);
    return cfg;
  }

  private static List<Path> fromEnv(String name) {
    String v = System.getenv(name);
    List<Path> out = new ArrayList<>();
    if (v != null) {
      for (String p : v.split(File.pathSeparator)) {
        if (!p.isBlank()) {
          out.add(Path.of(p));
        }
      }
    }
    return out;
  }
}
