package dev.braid.gateway.sandbox.internal;

import dev.braid.gateway.sandbox.SandboxConfig;
import dev.braid.gateway.sandbox.SandboxUnavailableException;
import dev.braid.gateway.sandbox.Script;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What this machine offers the sandbox, detected once when a {@code Sandbox} is created: bwrap and
 * its version, whether the gateway runs as root (then scripts run under an unprivileged uid via
 * setpriv, because RLIMIT_NPROC is not enforced for uid 0), prlimit, the interpreters.
 */
public final class Host {
  /** Where a missing sandbox tool comes from. */
  static final String INSTALL_HINT = "apt-get install bubblewrap";

  /** An interpreter and the directories outside /usr it needs (bound read-only). */
  public record Interpreter(Path executable, List<Path> roots, String problem) {
    boolean usable() {
      return problem == null;
    }
  }

  final Path bwrap;
  final String bwrapVersion;
  final boolean modernBwrap;
  final boolean root;
  final Path setpriv;
  final Path prlimit;
  final Interpreter python;
  final Interpreter node;

  private Host(
      Path bwrap,
      String bwrapVersion,
      boolean root,
      Path setpriv,
      Path prlimit,
      Interpreter python,
      Interpreter node) {
    this.bwrap = bwrap;
    this.bwrapVersion = bwrapVersion;
    this.modernBwrap = atLeast(bwrapVersion, 0, 8);
    this.root = root;
    this.setpriv = setpriv;
    this.prlimit = prlimit;
    this.python = python;
    this.node = node;
  }

  /**
   * Detects the host; throws {@link SandboxUnavailableException} when bwrap (or, as root, setpriv)
   * is missing and the config does not ask for the unsafe mode.
   */
  public static Host detect(SandboxConfig c) {
    boolean root = isRoot();
    Path prlimit = executable(Path.of("/usr/bin/prlimit"));
    Interpreter python = python(c.python());
    Interpreter node = node(c.node());
    if (c.unsafeNoSandbox()) {
      return new Host(null, null, root, null, prlimit, python, node);
    }
    Path bwrap = c.bwrap() != null ? c.bwrap() : onPath("bwrap", Path.of("/usr/bin/bwrap"));
    if (bwrap == null || !Files.isExecutable(bwrap)) {
      throw new SandboxUnavailableException(
          "refusing to run untrusted code: bubblewrap (bwrap) was not found"
              + (bwrap == null ? " on the PATH" : " at " + bwrap)
              + ". Install it with: "
              + INSTALL_HINT
              + " (for development only, --unsafe-no-sandbox runs scripts without isolation)");
    }
    String version = run(bwrap.toString(), "--version");
    if (version == null) {
      throw new SandboxUnavailableException(
          "refusing to run untrusted code: "
              + bwrap
              + " --version failed; reinstall with: "
              + INSTALL_HINT);
    }
    if (prlimit == null) {
      throw new SandboxUnavailableException(
          "refusing to run untrusted code: /usr/bin/prlimit is missing (apt-get install util-linux)");
    }
    Path setpriv = root ? executable(Path.of("/usr/bin/setpriv")) : null;
    if (root && setpriv == null) {
      throw new SandboxUnavailableException(
          "refusing to run untrusted code as root without /usr/bin/setpriv to drop to an"
              + " unprivileged uid (apt-get install util-linux)");
    }
    return new Host(bwrap, version.strip(), root, setpriv, prlimit, python, node);
  }

  Interpreter interpreter(Script.Lang lang) {
    return lang == Script.Lang.PYTHON ? python : node;
  }

  /** "bubblewrap 0.8.0" -> at least major.minor? */
  static boolean atLeast(String version, int major, int minor) {
    if (version == null) {
      return false;
    }
    String[] p = version.replaceAll("[^0-9.]", "").split("\\.");
    try {
      int ma = Integer.parseInt(p[0]);
      int mi = p.length > 1 ? Integer.parseInt(p[1]) : 0;
      return ma > major || (ma == major && mi >= minor);
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      return false;
    }
  }

  private static Interpreter python(Path configured) {
    if (configured != null) {
      return interpreter(configured, "python");
    }
    Path system = executable(Path.of("/usr/bin/python3"));
    if (system != null) {
      return interpreter(system, "python");
    }
    Path onPath = onPath("python3", null);
    if (onPath == null) {
      return new Interpreter(null, List.of(), "python3 not found (apt-get install python3)");
    }
    // e.g. a pyenv shim: ask the interpreter where it really lives
    String out =
        run(
            onPath.toString(),
            "-c",
            "import sys; print(sys.executable, sys.prefix, sys.base_prefix)");
    if (out == null || out.isBlank()) {
      return new Interpreter(null, List.of(), "cannot resolve " + onPath);
    }
    String[] p = out.strip().split(" ");
    List<Path> roots = new ArrayList<>();
    for (int i = 1; i < p.length; i++) {
      addRoot(roots, Path.of(p[i]));
    }
    return checked(Path.of(p[0]), roots, "python");
  }

  private static Interpreter node(Path configured) {
    if (configured != null) {
      return interpreter(configured, "node");
    }
    Path node = executable(Path.of("/usr/bin/node"));
    if (node == null) {
      node = onPath("node", null);
    }
    if (node == null) {
      return new Interpreter(null, List.of(), "node not found (apt-get install nodejs)");
    }
    return interpreter(node, "node");
  }

  private static Interpreter interpreter(Path exe, String what) {
    try {
      Path real = exe.toRealPath();
      List<Path> roots = new ArrayList<>();
      // an interpreter outside /usr (pyenv, nvm) needs its prefix: .../bin/x -> ...
      Path bin = real.getParent();
      if (bin != null && bin.getParent() != null) {
        addRoot(roots, bin.getParent());
      }
      return checked(real, roots, what);
    } catch (IOException e) {
      return new Interpreter(null, List.of(), what + " not found at " + exe);
    }
  }

  private static Interpreter checked(Path exe, List<Path> roots, String what) {
    if (!Files.isExecutable(exe)) {
      return new Interpreter(null, List.of(), what + " is not executable: " + exe);
    }
    return new Interpreter(exe, List.copyOf(roots), null);
  }

  private static void addRoot(List<Path> roots, Path p) {
    Path abs = p.toAbsolutePath().normalize();
    if (!abs.startsWith("/usr") && !abs.equals(Path.of("/")) && !roots.contains(abs)) {
      roots.add(abs);
    }
  }

  private static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0"); // effective uid
        }
      }
    } catch (IOException | ArrayIndexOutOfBoundsException e) {
      // not Linux: no sandbox anyway
    }
    return false;
  }

  static Path executable(Path p) {
    return Files.isExecutable(p) ? p : null;
  }

  private static Path onPath(String name, Path fallback) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(":")) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
          return Path.of(dir, name);
        }
      }
    }
    return fallback != null ? executable(fallback) : null;
  }

  /** Runs a short command, returns its stdout, or null if it failed. */
  private static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      return p.exitValue() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
