package dev.braid.gateway.sandbox;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sandboxed script latency against its floors (not a test; the bench harness wires it later):
 * {@code python3 -c pass}, the same under bwrap, and a trivial {@code main} through {@link Sandbox}
 * cold and warm, p50/p90 over N runs each. Run with the test classpath: {@code java -cp ...
 * dev.braid.gateway.sandbox.SandboxBench [N]}.
 */
public final class SandboxBench {
  private SandboxBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    String py = "/usr/bin/python3";
    report("python3 -I -S -B -c pass", time(n, () -> exec(py, "-I", "-S", "-B", "-c", "pass")));
    report(
        "bwrap (same flags) python3 -c pass",
        time(
            n,
            () ->
                exec(
                    "setpriv",
                    "--reuid=65534",
                    "--regid=65534",
                    "--clear-groups",
                    "--",
                    "bwrap",
                    "--unshare-user",
                    "--uid",
                    "65534",
                    "--gid",
                    "65534",
                    "--unshare-pid",
                    "--unshare-net",
                    "--unshare-ipc",
                    "--unshare-uts",
                    "--disable-userns",
                    "--cap-drop",
                    "ALL",
                    "--die-with-parent",
                    "--new-session",
                    "--clearenv",
                    "--ro-bind",
                    "/usr",
                    "/usr",
                    "--symlink",
                    "usr/lib",
                    "/lib",
                    "--symlink",
                    "usr/lib64",
                    "/lib64",
                    "--symlink",
                    "usr/bin",
                    "/bin",
                    "--proc",
                    "/proc",
                    "--dev",
                    "/dev",
                    "--tmpfs",
                    "/tmp",
                    py,
                    "-I",
                    "-S",
                    "-B",
                    "-c",
                    "pass")));
    for (Script script :
        List.of(
            Script.python("def main(x):\n    return x"),
            Script.js("export const main = (x) => x"))) {
      try (Sandbox cold = Sandbox.create(SandboxConfig.builder().poolSize(0).build())) {
        System.out.println("# " + cold.describe());
        report(script.lang().word() + " sandbox, cold", time(n, () -> run(cold, script)));
      }
      try (Sandbox warm = Sandbox.create(SandboxConfig.builder().poolSize(2).build())) {
        report(
            script.lang().word() + " sandbox, warm (pool 2)",
            time(
                n,
                () -> {
                  waitIdle(warm, script.lang(), 2);
                  return run(warm, script);
                }));
      }
    }
  }

  interface Timed {
    /** Runs once; returns the nanoseconds to count (setup excluded). */
    long once() throws Exception;
  }

  private static long[] time(int n, Timed t) throws Exception {
    for (int i = 0; i < 3; i++) {
      t.once(); // warm the JIT and the page cache
    }
    long[] ns = new long[n];
    for (int i = 0; i < n; i++) {
      ns[i] = t.once();
    }
    Arrays.sort(ns);
    return ns;
  }

  private static long exec(String... cmd) throws Exception {
    long start = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed");
    }
    return System.nanoTime() - start;
  }

  private static long run(Sandbox s, Script script) throws Exception {
    long start = System.nanoTime();
    ExecResult r = s.execute(script).get(30, TimeUnit.SECONDS);
    long took = System.nanoTime() - start;
    if (!r.isOk()) {
      throw new IllegalStateException(r.toString());
    }
    return took;
  }

  private static long waitIdle(Sandbox s, Script.Lang lang, int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (s.idle(lang) < n && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    if (s.idle(lang) < n) {
      System.out.println("# warning: the " + lang.word() + " pool did not refill: " + s.idle(lang));
    }
    return 0;
  }

  private static void report(String what, long[] ns) {
    List<String> cols = new ArrayList<>();
    for (double q : new double[] {0.5, 0.9}) {
      cols.add(
          String.format("p%d %6.1f ms", (int) (q * 100), ns[(int) (q * (ns.length - 1))] / 1e6));
    }
    System.out.printf("%-40s %s  (n=%d)%n", what, String.join("  ", cols), ns.length);
  }
}
