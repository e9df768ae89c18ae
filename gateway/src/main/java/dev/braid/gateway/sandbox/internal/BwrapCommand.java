package dev.braid.gateway.sandbox.internal;

import dev.braid.gateway.sandbox.Limits;
import dev.braid.gateway.sandbox.Script;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the command line of one sandbox, outermost first:
 *
 * <ol>
 *   <li>with cgroups (or a seccomp filter): {@code /bin/sh -c JOIN}, which writes its own pid into
 *       the sandbox's cgroup.procs files, opens the filter as fd 3, and execs the rest, so every
 *       process of the sandbox is born inside the groups;
 *   <li>as root: {@code setpriv --reuid=U --regid=U --clear-groups}: bwrap then runs unprivileged
 *       and maps the script's uid to U outside, where RLIMIT_NPROC is enforced (it is not for uid
 *       0), counted per sandbox in its own user namespace;
 *   <li>{@code bwrap} with new user, PID, network, IPC, UTS (and cgroup) namespaces, no
 *       capabilities, no further user namespaces, read-only binds of /usr and the interpreter's
 *       prefix, a size-capped /tmp, the runner and the result FIFO, and nothing else;
 *   <li>{@code prlimit} with the rlimits (RLIMIT_AS only without a memory cgroup), then the
 *       interpreter running the runner.
 * </ol>
 */
final class BwrapCommand {
  static final String RESULT = "/run/braid/result";
  private static final String JOIN =
      "s=$1; n=$2; shift 2; while [ \"$n\" -gt 0 ]; do echo $$ >\"$1\" || exit 125; shift;"
          + " n=$((n-1)); done; if [ -n \"$s\" ]; then exec \"$@\" 3<\"$s\"; fi; exec \"$@\"";
  private static final int OPEN_FILES = 256;

  /** V8 reserves far more address space than it uses; below this node does not start. */
  private static final long NODE_EXTRA_ADDRESS_SPACE_MB = 2048;

  private BwrapCommand() {}

  /** The whole command for a bwrap sandbox. */
  static List<String> sandboxed(
      Host host,
      int uid,
      Script.Lang lang,
      Limits limits,
      Path fifo,
      Path runner,
      List<String> cgroupProcs,
      boolean memoryCgroup,
      Path seccomp,
      Map<String, String> extraEnv) {
    List<String> cmd = new ArrayList<>(wrapper(cgroupProcs, seccomp));
    if (host.root) {
      cmd.addAll(
          List.of(
              host.setpriv.toString(), "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--"));
    }
    cmd.add(host.bwrap.toString());
    cmd.addAll(List.of("--unshare-user", "--uid", "" + uid, "--gid", "" + uid));
    cmd.addAll(List.of("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"));
    cmd.addAll(List.of("--unshare-cgroup-try", "--hostname", "sandbox"));
    if (host.modernBwrap) {
      cmd.add("--disable-userns");
    }
    cmd.addAll(List.of("--cap-drop", "ALL", "--die-with-parent", "--new-session"));
    cmd.add("--clearenv");
    Map<String, String> env = new LinkedHashMap<>(baseEnvironment("/tmp"));
    env.putAll(extraEnv);
    env.forEach((k, v) -> cmd.addAll(List.of("--setenv", k, v)));
    cmd.addAll(List.of("--ro-bind", "/usr", "/usr"));
    for (String top : List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")) {
      Path p = Path.of(top);
      if (Files.isSymbolicLink(p)) {
        try {
          cmd.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), top));
        } catch (IOException e) {
          // unreadable link: leave it out
        }
      } else if (Files.isDirectory(p)) {
        cmd.addAll(List.of("--ro-bind", top, top));
      }
    }
    cmd.addAll(List.of("--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"));
    for (Path root : host.interpreter(lang).roots()) {
      cmd.addAll(List.of("--ro-bind", root.toString(), root.toString()));
    }
    cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
    cmd.addAll(List.of("--perms", "1777"));
    if (host.modernBwrap) {
      cmd.addAll(List.of("--size", "" + (long) limits.tmpfsMb() * 1024 * 1024));
    }
    cmd.addAll(List.of("--tmpfs", "/tmp"));
    String inside = "/run/braid/" + runner.getFileName();
    cmd.addAll(List.of("--ro-bind", runner.toString(), inside));
    cmd.addAll(List.of("--bind", fifo.toString(), RESULT));
    // the root and /dev are tmpfs without a size cap: nothing may be written there
    cmd.addAll(List.of("--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/tmp"));
    if (seccomp != null) {
      cmd.addAll(List.of("--seccomp", "3"));
    }
    cmd.add("--");
    cmd.addAll(limited(host, lang, limits, memoryCgroup));
    cmd.addAll(interpreter(host, lang, limits, inside, RESULT));
    return cmd;
  }

  /** The command without bwrap (unsafe mode): the same runner and rlimits, nothing else. */
  static List<String> unsafe(
      Host host,
      Script.Lang lang,
      Limits limits,
      Path fifo,
      Path runner,
      List<String> procs,
      boolean memoryCgroup) {
    List<String> cmd = new ArrayList<>(wrapper(procs, null));
    cmd.addAll(limited(host, lang, limits, memoryCgroup));
    cmd.addAll(interpreter(host, lang, limits, runner.toString(), fifo.toString()));
    return cmd;
  }

  /** The fixed allowlist of variables a script sees. */
  static Map<String, String> baseEnvironment(String tmp) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("HOME", tmp);
    env.put("TMPDIR", tmp);
    env.put("LANG", "C.UTF-8");
    env.put("TZ", "UTC");
    return env;
  }

  private static List<String> wrapper(List<String> procs, Path seccomp) {
    if (procs.isEmpty() && seccomp == null) {
      return List.of();
    }
    List<String> w = new ArrayList<>(List.of("/bin/sh", "-c", JOIN, "sh"));
    w.add(seccomp == null ? "" : seccomp.toString());
    w.add(Integer.toString(procs.size()));
    w.addAll(procs);
    return w;
  }

  /**
   * The rlimits. RLIMIT_AS is set only when no memory cgroup limits the sandbox: it counts reserved
   * address space, not memory, and every thread reserves its whole stack (8 MiB by default), so
   * under it a Python script could not start a 7th thread at 256 MiB, nor node its worker threads.
   * The cgroup counts the pages actually used by the whole tree, which is what the limit means.
   */
  private static List<String> limited(
      Host host, Script.Lang lang, Limits limits, boolean memoryCgroup) {
    if (host.prlimit == null) {
      return List.of();
    }
    long cpu = Math.max(1, (limits.cpuTime().toMillis() + 999) / 1000);
    List<String> cmd = new ArrayList<>(List.of(host.prlimit.toString()));
    if (!memoryCgroup) {
      long asMb =
          lang == Script.Lang.PYTHON
              ? limits.memoryMb()
              : limits.memoryMb() + NODE_EXTRA_ADDRESS_SPACE_MB;
      cmd.add("--as=" + asMb * 1024 * 1024);
    }
    cmd.addAll(
        List.of(
            // SIGXCPU at the limit, SIGKILL a second later for a script that ignores SIGXCPU
            "--cpu=" + cpu + ":" + (cpu + 1),
            // bwrap's init runs as the same uid in the same user namespace
            "--nproc=" + (limits.maxProcesses() + 1),
            "--fsize=" + limits.maxFileSizeBytes(),
            "--nofile=" + OPEN_FILES,
            "--core=0",
            "--"));
    return cmd;
  }

  private static List<String> interpreter(
      Host host, Script.Lang lang, Limits limits, String runner, String result) {
    Path exe = host.interpreter(lang).executable();
    if (lang == Script.Lang.PYTHON) {
      return List.of(exe.toString(), "-I", "-S", "-B", "-X", "utf8", runner, result);
    }
    int heap = Math.max(16, limits.memoryMb() - 48);
    return List.of(exe.toString(), "--max-old-space-size=" + heap, runner, result);
  }
}
