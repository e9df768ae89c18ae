package dev.braid.gateway.sandbox.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-sandbox cgroup v1 groups (memory, pids, cpuacct), created beneath the gateway's own cgroup of
 * each controller, so a sandbox never escapes the limits and accounting of whoever started the
 * gateway. Each controller is detected at run time and used only if a probe group can be created
 * there; the others fall back to rlimits. cgroup2 controllers are not used (this family of machines
 * has none delegated).
 */
public final class Cgroups {
  private static final Path ROOT = Path.of("/sys/fs/cgroup");
  private static final AtomicLong COUNTER = new AtomicLong();

  private final Path memory;
  private final Path pids;
  private final Path cpuacct;

  private Cgroups(Path memory, Path pids, Path cpuacct) {
    this.memory = memory;
    this.pids = pids;
    this.cpuacct = cpuacct;
  }

  /** The usable controllers, or null when none is. */
  public static Cgroups detect() {
    List<String> self;
    try {
      self = Files.readAllLines(Path.of("/proc/self/cgroup"));
    } catch (IOException e) {
      return null;
    }
    Path memory = usable(self, "memory", "memory.limit_in_bytes");
    Path pids = usable(self, "pids", "pids.max");
    Path cpuacct = usable(self, "cpuacct", "cpuacct.usage");
    return memory == null && pids == null && cpuacct == null
        ? null
        : new Cgroups(memory, pids, cpuacct);
  }

  boolean memory() {
    return memory != null;
  }

  boolean pids() {
    return pids != null;
  }

  boolean cpuacct() {
    return cpuacct != null;
  }

  /** "memory+pids+cpuacct" */
  String describe() {
    List<String> on = new ArrayList<>();
    if (memory != null) {
      on.add("memory");
    }
    if (pids != null) {
      on.add("pids");
    }
    if (cpuacct != null) {
      on.add("cpuacct");
    }
    return "cgroup v1 " + String.join("+", on);
  }

  /** Creates one sandbox's groups with its memory (bytes) and pids limits. */
  Group create(long memoryBytes, int maxPids) throws IOException {
    String name = "braid-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    Group g =
        new Group(
            memory == null ? null : memory.resolve(name),
            pids == null ? null : pids.resolve(name),
            cpuacct == null ? null : cpuacct.resolve(name));
    try {
      for (Path dir : g.dirs()) {
        Files.createDirectory(dir);
      }
      if (g.memory != null) {
        write(g.memory.resolve("memory.limit_in_bytes"), memoryBytes);
        Path memsw = g.memory.resolve("memory.memsw.limit_in_bytes");
        if (Files.exists(memsw)) {
          write(memsw, memoryBytes); // no escape into swap
        }
      }
      if (g.pids != null) {
        write(g.pids.resolve("pids.max"), maxPids);
      }
    } catch (IOException e) {
      g.remove();
      throw e;
    }
    return g;
  }

  /** One sandbox's groups. Its files are the kernel's, so reading them trusts nothing in it. */
  static final class Group {
    final Path memory;
    final Path pids;
    final Path cpuacct;

    Group(Path memory, Path pids, Path cpuacct) {
      this.memory = memory;
      this.pids = pids;
      this.cpuacct = cpuacct;
    }

    List<Path> dirs() {
      List<Path> l = new ArrayList<>();
      for (Path p : new Path[] {memory, pids, cpuacct}) {
        if (p != null) {
          l.add(p);
        }
      }
      return l;
    }

    /** The cgroup.procs files the launcher writes its pid into before it execs bwrap. */
    List<String> procsFiles() {
      return dirs().stream().map(d -> d.resolve("cgroup.procs").toString()).toList();
    }

    /**
     * Starts peak accounting afresh (at hand-over: the idle runner's start-up is not counted), and
     * the count of hits at the limit, which decides MEMORY_LIMIT for the script alone.
     */
    void resetPeak() {
      if (memory != null) {
        for (String counter : List.of("memory.max_usage_in_bytes", "memory.failcnt")) {
          try {
            write(memory.resolve(counter), 0);
          } catch (IOException e) {
            // the counter then includes start-up
          }
        }
      }
    }

    /** CPU time of every task ever in the group, in nanoseconds; -1 if unknown. */
    long cpuNanos() {
      return cpuacct == null ? -1 : read(cpuacct.resolve("cpuacct.usage"));
    }

    long peakBytes() {
      return memory == null ? -1 : read(memory.resolve("memory.max_usage_in_bytes"));
    }

    long memoryLimitHits() {
      return memory == null ? 0 : Math.max(0, read(memory.resolve("memory.failcnt")));
    }

    /** Tasks the kernel's OOM killer killed in this group (memory.oom_control "oom_kill N"). */
    long oomKills() {
      if (memory == null) {
        return 0;
      }
      try {
        for (String line : Files.readAllLines(memory.resolve("memory.oom_control"))) {
          if (line.startsWith("oom_kill ")) {
            return Long.parseLong(line.substring(9).trim());
          }
        }
      } catch (IOException | NumberFormatException e) {
        // older kernels lack the counter
      }
      return 0;
    }

    /** Host pids of every process still in the group. */
    List<Long> members() {
      Path dir = pids != null ? pids : memory != null ? memory : cpuacct;
      List<Long> out = new ArrayList<>();
      try {
        for (String s : Files.readAllLines(dir.resolve("cgroup.procs"))) {
          if (!s.isBlank()) {
            out.add(Long.parseLong(s.trim()));
          }
        }
      } catch (IOException | NumberFormatException e) {
        // gone already
      }
      return out;
    }

    /** Removes the groups; false while a task is still inside (the caller retries). */
    boolean remove() {
      boolean all = true;
      for (Path d : dirs()) {
        try {
          Files.deleteIfExists(d);
        } catch (IOException e) {
          all = false;
        }
      }
      return all;
    }
  }

  private static Path usable(List<String> self, String controller, String probeFile) {
    String own = null;
    for (String line : self) {
      String[] p = line.split(":", 3);
      if (p.length == 3 && List.of(p[1].split(",")).contains(controller)) {
        own = p[2];
      }
    }
    Path mount = ROOT.resolve(controller);
    if (own == null || !Files.isRegularFile(mount.resolve("cgroup.procs"))) {
      return null;
    }
    Path parent = mount.resolve(own.substring(1));
    removeStale(parent);
    Path probe = parent.resolve("braid-probe-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(probe);
      // a child group has the controller's files even where the root group has none (pids.max)
      boolean ok = Files.isRegularFile(probe.resolve(probeFile));
      Files.delete(probe);
      return ok ? parent : null;
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  /** Removes empty groups left by gateways that died before cleaning up (braid-PID-N). */
  private static void removeStale(Path parent) {
    try (var s = Files.newDirectoryStream(parent, "braid-*-*")) {
      for (Path d : s) {
        String[] p = d.getFileName().toString().split("-");
        try {
          long pid = Long.parseLong(p[1]);
          if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
            Files.deleteIfExists(d); // fails while a task is still inside: left alone
          }
        } catch (NumberFormatException | IOException e) {
          // not ours, or busy
        }
      }
    } catch (IOException e) {
      // unreadable: nothing to clean
    }
  }

  private static void write(Path file, long value) throws IOException {
    Files.writeString(file, Long.toString(value));
  }

  private static long read(Path file) {
    try {
      return Long.parseLong(new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }
}
