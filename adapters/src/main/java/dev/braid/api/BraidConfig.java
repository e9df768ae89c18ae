package dev.braid.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link Braid} instance starts and supervises its workers. Immutable; build with {@link
 * #builder()}. Every field has a sensible default.
 *
 * @param braidHome the Braid installation (repository root): where {@code .venv} and {@code
 *     python-worker/} are found. Default: system property {@code braid.home}, env {@code
 *     BRAID_HOME}, else the working directory.
 * @param workingDirectory the workers' working directory; user modules resolve from it first
 * @param pythonPaths extra folders for Python modules, after the working directory
 * @param pythonExecutable an explicit interpreter, or null to discover one ({@code BRAID_PYTHON},
 *     the project venv, {@code python3} on PATH)
 * @param pythonWorkers how many Python worker processes to keep
 * @param nodePaths extra folders for Node modules, after the working directory
 * @param nodeExecutable an explicit {@code node}, or null for {@code BRAID_NODE}, then PATH
 * @param nodeWorkers how many Node worker processes to keep
 * @param javaClasspath extra classpath entries (folders, jars) for {@code java:} functions
 * @param preload per language, modules each worker imports at start; their functions form the
 *     worker's catalog ({@code braid functions})
 * @param envAllowlist extra environment variable names passed to workers (the environment is
 *     otherwise cleared, DESIGN §6)
 * @param maxPayloadBytes the largest argument list or result accepted, in bytes
 * @param queueCapacity how many calls may wait for a worker slot before new ones are shed
 * @param defaultGrace grace period after a cancel when a call does not set one
 * @param pingInterval how often workers are pinged
 * @param livenessTimeout a worker that has not answered a ping for this long is recycled
 * @param abandonLimit a worker with this many abandoned calls still running is recycled
 * @param startTimeout how long a worker may take to connect after its process starts
 * @param exposedRootsOnly workers load user code only from the configured paths ({@code
 *     pythonPaths}, {@code nodePaths}, {@code javaClasspath}), never from the working directory,
 *     and refuse any reference outside them on their own ({@code braid serve}); false: today's
 *     freedom of the local CLI
 * @param javaInProcess run {@code java:} functions inside this JVM (fast, but a function that calls
 *     {@code System.exit} ends it) instead of in a Java worker process (the default for {@code
 *     braid serve}); default true
 * @param workerCancelGrace sent to workers in {@code Welcome}: after a shutdown's grace, how long
 *     the calls it then cancels get before the worker answers for them as abandoned; default 1 s
 * @param workerLostGrace sent to workers in {@code Welcome}: when a worker loses the gateway, how
 *     long its cancelled calls get to clean up before it exits; default 500 ms
 * @param workerCloseWait sent to workers in {@code Welcome}: after a worker half-closed its stream
 *     at shutdown, how long it waits for the gateway to end it before exiting; default 1 s
 * @param workerListener a TCP listener for standalone workers of named pools on other machines, or
 *     null (the default) for none: only the workers this gateway starts itself
 */
public record BraidConfig(
    Path braidHome,
    Path workingDirectory,
    List<Path> pythonPaths,
    Path pythonExecutable,
    int pythonWorkers,
    List<Path> nodePaths,
    Path nodeExecutable,
    int nodeWorkers,
    List<Path> javaClasspath,
    Map<String, List<String>> preload,
    List<String> envAllowlist,
    int maxPayloadBytes,
    int queueCapacity,
    Duration defaultGrace,
    Duration pingInterval,
    Duration livenessTimeout,
    int abandonLimit,
    Duration startTimeout,
    boolean exposedRootsOnly,
    boolean javaInProcess,
    Duration workerCancelGrace,
    Duration workerLostGrace,
    Duration workerCloseWait,
    WorkerListener workerListener) {

  public BraidConfig {
    Objects.requireNonNull(braidHome, "braidHome");
    Objects.requireNonNull(workingDirectory, "workingDirectory");
    pythonPaths = List.copyOf(pythonPaths);
    nodePaths = List.copyOf(nodePaths);
    javaClasspath = List.copyOf(javaClasspath);
    preload = Map.copyOf(preload);
    if (nodeWorkers < 1) {
      throw new IllegalArgumentException("nodeWorkers < 1: " + nodeWorkers);
    }
    envAllowlist = List.copyOf(envAllowlist);
    if (pythonWorkers < 1) {
      throw new IllegalArgumentException("pythonWorkers < 1: " + pythonWorkers);
    }
    if (maxPayloadBytes < 1024) {
      throw new IllegalArgumentException("maxPayloadBytes < 1024: " + maxPayloadBytes);
    }
    if (queueCapacity < 0) {
      throw new IllegalArgumentException("queueCapacity < 0: " + queueCapacity);
    }
    if (abandonLimit < 1) {
      throw new IllegalArgumentException("abandonLimit < 1: " + abandonLimit);
    }
    requireWireMillis("workerCancelGrace", workerCancelGrace);
    requireWireMillis("workerLostGrace", workerLostGrace);
    requireWireMillis("workerCloseWait", workerCloseWait);
  }

  /** A wait sent in Welcome as uint32 milliseconds, where 0 would mean "the worker's default". */
  private static void requireWireMillis(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.toMillis() < 1 || d.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + " not within 1 ms and 24 days: " + d);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link BraidConfig}. Not thread-safe. */
  public static final class Builder {
    private Path braidHome = defaultHome();
    private Path workingDirectory = Path.of("").toAbsolutePath();
    private final List<Path> pythonPaths = new ArrayList<>();
    private Path pythonExecutable;
    private int pythonWorkers = 1;
    private final List<Path> nodePaths = new ArrayList<>();
    private Path nodeExecutable;
    private int nodeWorkers = 1;
    private final List<Path> javaClasspath = new ArrayList<>();
    private final Map<String, List<String>> preload = new HashMap<>();
    private final List<String> envAllowlist = new ArrayList<>();
    private int maxPayloadBytes = 16 << 20;
    private int queueCapacity = 10_000;
    private Duration defaultGrace = Duration.ofSeconds(2);
    private Duration pingInterval = Duration.ofMillis(500);
    private Duration livenessTimeout = Duration.ofSeconds(3);
    private int abandonLimit = 4;
    private Duration startTimeout = Duration.ofSeconds(30);
    private boolean exposedRootsOnly;
    private boolean javaInProcess = true;
    private Duration workerCancelGrace = Duration.ofSeconds(1);
    private Duration workerLostGrace = Duration.ofMillis(500);
    private Duration workerCloseWait = Duration.ofSeconds(1);
    private WorkerListener workerListener;

    private Builder() {}

    private static Path defaultHome() {
      String p = System.getProperty("braid.home");
      if (p == null || p.isBlank()) {
        p = System.getenv("BRAID_HOME");
      }
      return (p == null || p.isBlank() ? Path.of("") : Path.of(p)).toAbsolutePath().normalize();
    }

    public Builder braidHome(Path p) {
      braidHome = p.toAbsolutePath().normalize();
      return this;
    }

    public Builder workingDirectory(Path p) {
      workingDirectory = p.toAbsolutePath().normalize();
      return this;
    }

    public Builder addPythonPath(Path p) {
      pythonPaths.add(p.toAbsolutePath().normalize());
      return this;
    }

    public Builder pythonExecutable(Path p) {
      pythonExecutable = p;
      return this;
    }

    public Builder pythonWorkers(int n) {
      pythonWorkers = n;
      return this;
    }

    public Builder addNodePath(Path p) {
      nodePaths.add(p.toAbsolutePath().normalize());
      return this;
    }

    public Builder nodeExecutable(Path p) {
      nodeExecutable = p;
      return this;
    }

    public Builder nodeWorkers(int n) {
      nodeWorkers = n;
      return this;
    }

    public Builder addJavaClasspath(Path p) {
      javaClasspath.add(p.toAbsolutePath().normalize());
      return this;
    }

    /** Has workers of {@code language} import {@code module} at start (for their catalog). */
    public Builder preload(String language, String module) {
      preload.computeIfAbsent(language, l -> new ArrayList<>()).add(module);
      return this;
    }

    public Builder allowEnv(String name) {
      envAllowlist.add(name);
      return this;
    }

    public Builder maxPayloadBytes(int n) {
      maxPayloadBytes = n;
      return this;
    }

    public Builder queueCapacity(int n) {
      queueCapacity = n;
      return this;
    }

    public Builder defaultGrace(Duration d) {
      defaultGrace = d;
      return this;
    }

    public Builder pingInterval(Duration d) {
      pingInterval = d;
      return this;
    }

    public Builder livenessTimeout(Duration d) {
      livenessTimeout = d;
      return this;
    }

    public Builder abandonLimit(int n) {
      abandonLimit = n;
      return this;
    }

    public Builder startTimeout(Duration d) {
      startTimeout = d;
      return this;
    }

    /** See {@link BraidConfig#exposedRootsOnly()}. */
    public Builder exposedRootsOnly(boolean b) {
      exposedRootsOnly = b;
      return this;
    }

    /**
     * True (the default): {@code java:} functions run in this JVM. False: in a Java worker process,
     * supervised like the Python and Node workers, so that no function can end this JVM.
     */
    public Builder javaInProcess(boolean inProcess) {
      javaInProcess = inProcess;
      return this;
    }

    /** See {@link BraidConfig#workerCancelGrace()}. */
    public Builder workerCancelGrace(Duration d) {
      workerCancelGrace = d;
      return this;
    }

    /** See {@link BraidConfig#workerLostGrace()}. */
    public Builder workerLostGrace(Duration d) {
      workerLostGrace = d;
      return this;
    }

    /** See {@link BraidConfig#workerCloseWait()}. */
    public Builder workerCloseWait(Duration d) {
      workerCloseWait = d;
      return this;
    }

    /** See {@link BraidConfig#workerListener()}; null for none. */
    public Builder workerListener(WorkerListener listener) {
      workerListener = listener;
      return this;
    }

    public BraidConfig build() {
      return new BraidConfig(
          braidHome,
          workingDirectory,
          pythonPaths,
          pythonExecutable,
          pythonWorkers,
          nodePaths,
          nodeExecutable,
          nodeWorkers,
          javaClasspath,
          preload,
          envAllowlist,
          maxPayloadBytes,
          queueCapacity,
          defaultGrace,
          pingInterval,
          livenessTimeout,
          abandonLimit,
          startTimeout,
          exposedRootsOnly,
          javaInProcess,
          workerCancelGrace,
          workerLostGrace,
          workerCloseWait,
          workerListener);
    }
  }
}
