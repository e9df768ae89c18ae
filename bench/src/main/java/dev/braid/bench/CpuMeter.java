package dev.braid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of a process and of each of its threads, read from {@code /proc} (Linux). Comparing two
 * snapshots tells which process, and which thread in it, was the busy one during a phase: a thread
 * at ~100% of a core is the bottleneck of a pipeline.
 */
final class CpuMeter {
  /** {@code getconf CLK_TCK}; 100 on every Linux this runs on. */
  static final double TICKS_PER_SECOND = 100.0;

  private final long pid;
  private final String label;

  CpuMeter(long pid, String label) {
    this.pid = pid;
    this.label = label;
  }

  long pid() {
    return pid;
  }

  /** CPU ticks per thread name (threads with the same name, e.g. a pool, are added up). */
  Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
      for (Path t : ds) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          // the name is in parentheses and may itself hold spaces and parentheses
          int close = stat.lastIndexOf(')');
          String name = poolName(stat.substring(stat.indexOf('(') + 1, close));
          if (t.getFileName().toString().equals(Long.toString(pid))) {
            name += " [main thread]"; // the Python event loop; other threads share its name
          }
          String[] f = stat.substring(close + 2).split(" ");
          // after ") ": state(3) ... utime(14) stime(15), so index 11 and 12 here
          long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          out.merge(name, ticks, Long::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended between listing and reading
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
    return out;
  }

  /** "% of one core" per thread group and in total, between two snapshots. */
  ObjectNode delta(
      ObjectMapper json, Map<String, Long> before, Map<String, Long> after, double seconds) {
    ObjectNode threads = json.createObjectNode();
    long total = 0;
    for (Map.Entry<String, Long> e : after.entrySet()) {
      long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      total += d;
      double pct = percent(d, seconds);
      if (pct >= 1.0) {
        threads.put(e.getKey(), round(pct));
      }
    }
    ObjectNode out = json.createObjectNode();
    out.put("process", label);
    out.put("pid", pid);
    out.put("total_pct_of_one_core", round(percent(total, seconds)));
    out.set("threads_pct_of_one_core", threads);
    return out;
  }

  private static double percent(long ticks, double seconds) {
    return ticks / TICKS_PER_SECOND / seconds * 100.0;
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  /** "braid-hub-12" and "braid-hub-3" are one pool: "braid-hub-*". */
  private static String poolName(String name) {
    return name.matches(".*[-_ #]\\d+$") ? name.replaceAll("\\d+$", "*") : name;
  }
}
