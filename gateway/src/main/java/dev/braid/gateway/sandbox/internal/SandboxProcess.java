package dev.braid.gateway.sandbox.internal;

import dev.braid.gateway.sandbox.Limits;
import dev.braid.gateway.sandbox.OutputListener;
import dev.braid.gateway.sandbox.Script;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One started sandbox: its process (bwrap, or the interpreter in unsafe mode), its output pumps,
 * its result channel, its cgroups and its private directory. Single use: it runs at most one
 * script, then it is killed and cleaned up.
 */
public final class SandboxProcess {
  final Script.Lang lang;
  final Limits limits;
  final Process process;
  final OutputPump stdout;
  final OutputPump stderr;
  final OutputPump.Budget budget;
  final ResultChannel channel;
  final Cgroups.Group group;
  private final Path dir;
  private final Launcher launcher;

  private SandboxProcess(
      Launcher launcher,
      Script.Lang lang,
      Limits limits,
      Path dir,
      ResultChannel channel,
      Cgroups.Group group,
      Process process) {
    this.launcher = launcher;
    this.lang = lang;
    this.limits = limits;
    this.dir = dir;
    this.channel = channel;
    this.group = group;
    this.process = process;
    this.budget = new OutputPump.Budget(limits.maxOutputBytes());
    this.stdout = new OutputPump(process.getInputStream(), OutputListener.Stream.STDOUT, budget);
    this.stderr = new OutputPump(process.getErrorStream(), OutputListener.Stream.STDERR, budget);
  }

  /** Starts a sandbox whose runner then waits for its script on stdin. */
  static SandboxProcess spawn(Launcher l, Script.Lang lang, Limits limits) throws IOException {
    Path dir = Files.createTempDirectory(l.workDir, Launcher.PREFIX + "sbx-");
    ResultChannel channel = null;
    Cgroups.Group group = null;
    try {
      if (l.dropsPrivileges()) {
        // bwrap runs as the sandbox uid and must reach the FIFO; the name stays unlistable
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
      }
      int owner = l.dropsPrivileges() ? l.config.sandboxUid() : -1;
      channel = ResultChannel.create(dir, owner, limits.maxOutputBytes(), l.io);
      Path fifo = dir.resolve("result");
      if (l.cgroups != null) {
        group = l.cgroups.create(limits.memoryMb() * 1024L * 1024L, limits.maxProcesses() + 2);
      }
      List<String> procs = group == null ? List.of() : group.procsFiles();
      boolean memoryCgroup = group != null && group.memory != null;
      Path runner = l.runner(lang);
      List<String> cmd =
          l.host.bwrap == null
              ? BwrapCommand.unsafe(l.host, lang, limits, fifo, runner, procs, memoryCgroup)
              : BwrapCommand.sandboxed(
                  l.host,
                  l.config.sandboxUid(),
                  lang,
                  limits,
                  fifo,
                  runner,
                  procs,
                  memoryCgroup,
                  l.seccompFilter,
                  l.config.sandboxEnvironment());
      ProcessBuilder pb = new ProcessBuilder(cmd);
      Map<String, String> env = pb.environment();
      // The gateway's environment never reaches a sandbox: bwrap's --clearenv covers only the
      // script, and bwrap's own init (pid 1 inside, same uid) exposes its environment in
      // /proc/1/environ, so the launcher chain starts from nothing.
      env.clear();
      // the launcher's shell exports PWD, which bwrap's init shows in /proc/1/environ
      pb.directory(new File("/"));
      if (l.host.bwrap == null) {
        env.putAll(BwrapCommand.baseEnvironment(dir.toString()));
        env.putAll(l.config.sandboxEnvironment());
        pb.directory(dir.toFile());
      }
      Process p = pb.start();
      SandboxProcess sp = new SandboxProcess(l, lang, limits, dir, channel, group, p);
      l.io.execute(sp.stdout);
      l.io.execute(sp.stderr);
      return sp;
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      if (group != null) {
        group.remove();
      }
      deleteTree(dir);
      throw e;
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Kills every process of the sandbox with SIGKILL: bwrap (its PID namespace's init then dies of
   * --die-with-parent, taking the namespace with it), every descendant the host can see, and every
   * task left in its cgroup (a daemon that escaped the tree in unsafe mode).
   */
  void kill() {
    List<ProcessHandle> tree;
    try (Stream<ProcessHandle> d = process.descendants()) {
      tree = d.toList();
    }
    // through the handle: Process.destroyForcibly also closes the gateway's ends of the pipes,
    // losing output the sandbox wrote that was not read yet
    process.toHandle().destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    killGroupMembers();
  }

  /**
   * Ends a sandbox that has answered. SIGKILL to bwrap would be enough (its PID namespace dies with
   * its init, --die-with-parent), but every task of its cgroup is signalled at once: the two bwrap
   * processes hold the output pipes, and the run waits for those to close. Without bwrap (unsafe
   * mode), the whole tree.
   */
  void end() {
    if (launcher.unsafe()) {
      kill();
      return;
    }
    process.toHandle().destroyForcibly();
    killGroupMembers();
  }

  /**
   * After bwrap exited: its PID namespace died with its init, so only tasks still in the cgroup can
   * be left (dying ones); without bwrap (unsafe mode) the whole tree is hunted down.
   */
  void killRemains() {
    if (launcher.unsafe()) {
      kill();
    } else {
      killGroupMembers();
    }
  }

  /** SIGKILL to every task in the sandbox's cgroup, if it has one. */
  private void killGroupMembers() {
    if (group != null) {
      for (long pid : group.members()) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /** Removes the cgroups (retrying while dying tasks leave) and the private directory. */
  void cleanup() {
    channel.close();
    deleteTree(dir);
    if (group != null && !group.remove()) {
      launcher.removeLater(group);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // left for the OS's tmp cleaner
                }
              });
    } catch (IOException e) {
      // already gone
    }
  }
}
