package dev.braid.gateway.sandbox;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link Sandbox} launches scripts. Immutable; build with {@link #builder()}.
 *
 * @param bwrap the bubblewrap binary; null = {@code bwrap} on the PATH or {@code /usr/bin/bwrap}
 * @param unsafeNoSandbox run scripts without bwrap (development only: no isolation at all)
 * @param poolSize idle warm sandboxes kept per language (0 = every run starts cold)
 * @param defaults the limits warm sandboxes are started with; a run with other limits starts a cold
 *     sandbox
 * @param python the Python interpreter; null = {@code /usr/bin/python3}, else the real executable
 *     behind {@code python3} on the PATH
 * @param node the Node.js binary; null = {@code /usr/bin/node}, else {@code node} on the PATH
 * @param workDir where private per-sandbox directories (result FIFOs) and the extracted runners
 *     live; null = {@code java.io.tmpdir}
 * @param useCgroups use cgroup v1 memory/pids/cpuacct controllers when they are writable
 * @param sandboxUid the unprivileged uid (and gid) scripts run as when the gateway runs as root
 * @param sandboxEnvironment variables set inside the sandbox, on top of the fixed allowlist ({@code
 *     PATH}, {@code HOME=/tmp}, {@code TMPDIR=/tmp}, {@code LANG=C.UTF-8}, {@code TZ=UTC})
 * @param seccomp load the seccomp filter when libseccomp is available
 */
public record SandboxConfig(
    Path bwrap,
    boolean unsafeNoSandbox,
    int poolSize,
    Limits defaults,
    Path python,
    Path node,
    Path workDir,
    boolean useCgroups,
    int sandboxUid,
    Map<String, String> sandboxEnvironment,
    boolean seccomp) {

  public SandboxConfig {
    Objects.requireNonNull(defaults, "defaults");
    if (poolSize < 0) {
      throw new IllegalArgumentException("poolSize < 0: " + poolSize);
    }
    if (sandboxUid <= 0) {
      throw new IllegalArgumentException("sandboxUid <= 0: " + sandboxUid);
    }
    sandboxEnvironment = Map.copyOf(sandboxEnvironment);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: bwrap from the PATH, a pool of 2 per language, cgroups when writable. */
  public static SandboxConfig defaultConfig() {
    return builder().build();
  }

  /** Builds a {@link SandboxConfig}. Not thread-safe. */
  public static final class Builder {
    private Path bwrap;
    private boolean unsafe;
    private int poolSize = 2;
    private Limits defaults = Limits.DEFAULTS;
    private Path python;
    private Path node;
    private Path workDir;
    private boolean useCgroups = true;
    private int sandboxUid = 65534;
    private final Map<String, String> sandboxEnv = new LinkedHashMap<>();
    private boolean seccomp = true;

    public Builder bwrap(Path path) {
      this.bwrap = path;
      return this;
    }

    public Builder unsafeNoSandbox(boolean on) {
      this.unsafe = on;
      return this;
    }

    public Builder poolSize(int n) {
      this.poolSize = n;
      return this;
    }

    public Builder defaults(Limits limits) {
      this.defaults = limits;
      return this;
    }

    public Builder python(Path path) {
      this.python = path;
      return this;
    }

    public Builder node(Path path) {
      this.node = path;
      return this;
    }

    public Builder workDir(Path dir) {
      this.workDir = dir;
      return this;
    }

    public Builder useCgroups(boolean on) {
      this.useCgroups = on;
      return this;
    }

    public Builder sandboxUid(int uid) {
      this.sandboxUid = uid;
      return this;
    }

    public Builder sandboxEnvironment(String name, String value) {
      sandboxEnv.put(name, value);
      return this;
    }

    public Builder seccomp(boolean on) {
      this.seccomp = on;
      return this;
    }

    public SandboxConfig build() {
      return new SandboxConfig(
          bwrap,
          unsafe,
          poolSize,
          defaults,
          python,
          node,
          workDir,
          useCgroups,
          sandboxUid,
          sandboxEnv,
          seccomp);
    }
  }
}
