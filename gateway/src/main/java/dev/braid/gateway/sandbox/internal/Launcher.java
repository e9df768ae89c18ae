package dev.braid.gateway.sandbox.internal;

import dev.braid.gateway.sandbox.Limits;
import dev.braid.gateway.sandbox.SandboxConfig;
import dev.braid.gateway.sandbox.Script;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every sandbox of one {@code Sandbox} shares: the detected host, cgroups and seccomp filter,
 * the extracted runners, and the threads (a cached pool for pipe and FIFO readers, one timer for
 * deadlines and CPU polling). Thread-safe.
 */
public final class Launcher implements AutoCloseable {
  /** Private directories are named braid-PID-...: stale ones of dead gateways are removed. */
  static final String PREFIX = "braid-" + ProcessHandle.current().pid() + "-";

  final SandboxConfig config;
  final Host host;
  final Cgroups cgroups;
  final Path workDir;
  final Path seccompFilter;
  final ExecutorService io;
  final ScheduledExecutorService timer;
  private final String seccompNote;
  private final Path runnerDir;
  private final Set<Cgroups.Group> pendingRemoval = ConcurrentHashMap.newKeySet();
  private final AtomicInteger cleaning = new AtomicInteger();

  private Launcher(SandboxConfig config, Host host) throws IOException {
    this.config = config;
    this.host = host;
    this.cgroups = config.useCgroups() ? Cgroups.detect() : null;
    this.workDir =
        config.workDir() != null ? config.workDir() : Path.of(System.getProperty("java.io.tmpdir"));
    this.runnerDir = extractRunners(workDir, dropsPrivileges());
    Seccomp.Filter filter =
        config.seccomp() && host.bwrap != null ? Seccomp.generate(host, runnerDir) : Seccomp.off();
    this.seccompFilter = filter.file();
    this.seccompNote = filter.note();
    this.io = Executors.newCachedThreadPool(daemon("braid-sandbox-io"));
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(1, daemon("braid-sandbox-timer"));
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
  }

  /** Detects the host (see {@link Host#detect}) and prepares the runners. */
  public static Launcher start(SandboxConfig config) {
    Host host = Host.detect(config);
    try {
      return new Launcher(config, host);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot prepare the sandbox runners in " + config.workDir(), e);
    }
  }

  public boolean unsafe() {
    return host.bwrap == null;
  }

  /** Why {@code lang} cannot run here, or null if it can. */
  public String problem(Script.Lang lang) {
    return host.interpreter(lang).problem();
  }

  /** Starts one sandbox for {@code lang} with {@code limits}; its runner waits for a script. */
  public SandboxProcess spawn(Script.Lang lang, Limits limits) throws IOException {
    return SandboxProcess.spawn(this, lang, limits);
  }

  boolean dropsPrivileges() {
    return host.bwrap != null && host.root;
  }

  Path runner(Script.Lang lang) {
    return runnerDir.resolve(lang == Script.Lang.PYTHON ? "runner.py" : "runner.mjs");
  }

  /** How scripts are confined and measured here, one clause per mechanism. */
  public String describe(Limits limits) {
    List<String> d = new ArrayList<>();
    if (unsafe()) {
      d.add("UNSAFE: no sandbox (no namespaces, no filesystem or network isolation)");
    } else {
      d.add(host.bwrapVersion + " (user, pid, net, ipc, uts namespaces; no capabilities)");
      d.add(host.root ? "uid " + config.sandboxUid() + " via setpriv" : "uid of the gateway");
    }
    boolean memCg = cgroups != null && cgroups.memory();
    boolean pidsCg = cgroups != null && cgroups.pids();
    boolean cpuCg = cgroups != null && cgroups.cpuacct();
    // RLIMIT_AS only where no memory cgroup limits the sandbox (BwrapCommand says why)
    d.add("memory " + limits.memoryMb() + " MiB: " + (memCg ? "cgroup" : "RLIMIT_AS"));
    d.add(
        "processes "
            + limits.maxProcesses()
            + ": "
            + (pidsCg ? "cgroup pids + " : "")
            + (unsafe() && host.root ? "RLIMIT_NPROC (not enforced for root)" : "RLIMIT_NPROC"));
    d.add(
        "cpu "
            + limits.cpuTime().toMillis()
            + " ms: RLIMIT_CPU"
            + (cpuCg ? " + cgroup cpuacct" : ""));
    if (!unsafe()) {
      d.add(
          "tmpfs "
              + limits.tmpfsMb()
              + " MiB"
              + (host.modernBwrap ? "" : " (uncapped: bwrap < 0.8)"));
    }
    d.add("seccomp: " + seccompNote);
    return String.join("; ", d);
  }

  /** A finished run is about to hand out its result and then clean up its sandbox. */
  void cleanupBegins() {
    cleaning.incrementAndGet();
  }

  void cleanupEnds() {
    cleaning.decrementAndGet();
  }

  /** Removes {@code group} once its dying tasks are gone (retried on the timer, and at close). */
  void removeLater(Cgroups.Group group) {
    pendingRemoval.add(group);
    retryRemoval(group, 40);
  }

  private void retryRemoval(Cgroups.Group group, int attempts) {
    try {
      timer.schedule(
          () -> {
            if (group.remove()) {
              pendingRemoval.remove(group);
            } else if (attempts > 1) {
              retryRemoval(group, attempts - 1);
            }
          },
          50,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // close() removes what is pending
    }
  }

  @Override
  public void close() {
    timer.shutdown();
    io.shutdown();
    // runs that just answered are still removing their sandboxes, and killed sandboxes leave
    // their groups within milliseconds; bounded wait
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while ((cleaning.get() > 0 || !pendingRemoval.isEmpty()) && System.nanoTime() < end) {
      pendingRemoval.removeIf(Cgroups.Group::remove);
      if (cleaning.get() > 0 || !pendingRemoval.isEmpty()) {
        try {
          Thread.sleep(cleaning.get() > 0 ? 2 : 20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    try (var s = Files.list(runnerDir)) {
      for (Path p : s.toList()) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(runnerDir);
    } catch (IOException e) {
      // left for the OS's tmp cleaner
    }
  }

  private static Path extractRunners(Path workDir, boolean readableBySandboxUid)
      throws IOException {
    Files.createDirectories(workDir);
    Path dir = Files.createTempDirectory(workDir, PREFIX + "runners-");
    for (String name : List.of("runner.py", "runner.mjs", "seccomp.py")) {
      try (InputStream in = Launcher.class.getResourceAsStream("/braid/sandbox/" + name)) {
        if (in == null) {
          throw new IOException("missing resource /braid/sandbox/" + name);
        }
        Path f = dir.resolve(name);
        Files.copy(in, f);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--r--r--"));
      }
    }
    if (readableBySandboxUid) {
      // root-owned and read-only: bwrap (running as the sandbox uid) may read, nobody may change
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    }
    return dir;
  }

  /** Deletes the private directories of gateways that died without cleaning up. */
  private static void removeStale(Path workDir) {
    try (var dirs = Files.newDirectoryStream(workDir, "braid-*-{sbx,runners}-*")) {
      for (Path d : dirs) {
        String pid = d.getFileName().toString().split("-")[1];
        if (pid.chars().allMatch(Character::isDigit)
            && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
          try (var files = Files.list(d)) {
            for (Path f : files.toList()) {
              Files.deleteIfExists(f); // a FIFO or a runner: no subdirectories, no links followed
            }
          }
          Files.deleteIfExists(d);
        }
      }
    } catch (IOException | RuntimeException e) {
      // best effort
    }
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
