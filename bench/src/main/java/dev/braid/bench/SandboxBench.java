package dev.braid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.sandbox.ExecResult;
import dev.braid.gateway.sandbox.Limits;
import dev.braid.gateway.sandbox.OutputListener;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.sandbox.SandboxConfig;
import dev.braid.gateway.sandbox.Script;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxed scripts (DESIGN §6): the latency of a trivial script ({@code def main(i): return 1},
 * and the same for JS) through {@link Sandbox}, warm (a sandbox of the pool, started before the
 * script is known) and cold (a sandbox started for the run), beside its floors measured in the same
 * run: the bare interpreter ({@code python3 -I -S -B -c pass}, {@code node -e 0}) and the same
 * under {@code bwrap} with the sandbox's flags (setpriv as root, the namespaces, binds and {@code
 * prlimit} of {@code BwrapCommand}, without the cgroup join, the seccomp filter and the runner).
 * The four cases run in interleaved rounds. Then the sustained rate of trivial scripts with the
 * warm pool refilling (2 and 4 in flight).
 *
 * <p>Every timed span is {@code ProcessBuilder.start()} / {@code execute()} → the exit / the
 * result, from the bench's thread, as the sandbox's own spawns go through {@code ProcessBuilder}.
 */
final class SandboxBench {
  private static final Logger log = LoggerFactory.getLogger(SandboxBench.class);

  static final String PYTHON_SCRIPT = "def main(i):\n    return 1\n";
  static final String JS_SCRIPT = "export function main(i) {\n  return 1;\n}\n";

  /** The warm pool per language, as {@code braid serve} keeps by default. */
  static final int POOL = 2;

  static final List<Integer> CONCURRENCY = List.of(2, 4);
  private static final Duration RUN_WAIT = Duration.ofSeconds(30);
  private static final int SANDBOX_UID = 65534;
  private static final String NODE_EXTRA_ADDRESS_SPACE_MB = "2048"; // as BwrapCommand

  /** The variables a sandboxed script sees (BwrapCommand's allowlist), for every baseline. */
  static final Map<String, String> ENVIRONMENT =
      Map.of(
          "PATH", "/usr/local/bin:/usr/bin:/bin",
          "HOME", "/tmp",
          "TMPDIR", "/tmp",
          "LANG", "C.UTF-8",
          "TZ", "UTC");

  private final BenchConfig cfg;

  SandboxBench(BenchConfig cfg) {
    this.cfg = cfg;
  }

  /** One case of the latency rounds: runs once, returns the nanoseconds to count. */
  @FunctionalInterface
  private interface Case {
    long once() throws Exception;
  }

  ObjectNode run(ObjectMapper json) throws Exception {
    Path bwrap = bwrap();
    if (bwrap == null) {
      throw new IllegalStateException(
          "bwrap not found on the PATH nor at /usr/bin/bwrap (apt-get install bubblewrap):"
              + " the sandbox section is skipped");
    }
    ObjectNode out = json.createObjectNode();
    out.put("bwrap", bwrap.toString());
    out.put("bwrap_version", firstLine(bwrap.toString(), "--version"));
    out.put("root", isRoot());
    out.put("pool_size", POOL);
    int rounds = cfg.quick() ? 2 : 5;
    int perRound = cfg.quick() ? 5 : 10;
    out.put("rounds", rounds);
    out.put("runs_per_round", perRound);
    try (Sandbox cold = Sandbox.create(SandboxConfig.builder().poolSize(0).build());
        Sandbox warm = Sandbox.create(SandboxConfig.builder().poolSize(POOL).build())) {
      out.put("confinement", warm.describe());
      for (Script.Lang lang : Script.Lang.values()) {
        ObjectNode l = out.putObject(lang.word());
        latency(json, l, lang, bwrap, cold, warm, rounds, perRound);
      }
      // idle warm sandboxes of the other language wait blocked on stdin: they cost no CPU
      for (Script.Lang lang : Script.Lang.values()) {
        throughput(json, (ObjectNode) out.get(lang.word()), lang, warm);
      }
    }
    return out;
  }

  // -- latency -----------------------------------------------------------------------------------

  private void latency(
      ObjectMapper json,
      ObjectNode out,
      Script.Lang lang,
      Path bwrap,
      Sandbox cold,
      Sandbox warm,
      int rounds,
      int perRound)
      throws Exception {
    Path exe = interpreter(lang);
    List<String> bare =
        lang == Script.Lang.PYTHON
            ? List.of(exe.toString(), "-I", "-S", "-B", "-c", "pass")
            : List.of(exe.toString(), "-e", "0");
    List<String> wrapped = bwrapCommand(bwrap, lang, exe, bare);
    Script script = script(lang);
    out.put("script", script.code());
    out.put("interpreter", exe.toString());
    out.put("baseline_command", String.join(" ", bare));
    out.put("baseline_environment", "only the sandbox's allowlist: PATH, HOME, TMPDIR, LANG, TZ");
    out.put("baseline_bwrap_command", String.join(" ", wrapped));
    List<String> keys = List.of("baseline", "baseline_bwrap", "cold", "warm");
    Map<String, Case> cases = new LinkedHashMap<>();
    cases.put("baseline", () -> exec(bare));
    cases.put("baseline_bwrap", () -> exec(wrapped));
    List<Long> coldInside = new ArrayList<>();
    List<Long> warmInside = new ArrayList<>();
    int[] notWarm = {0};
    cases.put("cold", () -> runOnce(cold, script, coldInside, null));
    cases.put(
        "warm",
        () -> {
          waitIdle(warm, lang);
          return runOnce(warm, script, warmInside, notWarm);
        });
    log.info(
        "sandbox {}: 3 warm-ups of each case, then {} x {} interleaved",
        lang.word(),
        rounds,
        perRound);
    for (Case c : cases.values()) {
      for (int i = 0; i < 3; i++) {
        c.once(); // the page cache, the JIT, the runner's bytecode
      }
    }
    coldInside.clear();
    warmInside.clear();
    notWarm[0] = 0;
    Map<String, List<Long>> samples = new LinkedHashMap<>();
    keys.forEach(k -> samples.put(k, new ArrayList<>()));
    for (int r = 0; r < rounds; r++) {
      for (String k : keys) {
        for (int i = 0; i < perRound; i++) {
          samples.get(k).add(cases.get(k).once());
        }
      }
    }
    for (String k : keys) {
      out.set(k, stats(json, samples.get(k)));
    }
    ((ObjectNode) out.get("cold")).put("sandbox_wall_p50_ms", median(coldInside));
    ((ObjectNode) out.get("warm")).put("sandbox_wall_p50_ms", median(warmInside));
    ((ObjectNode) out.get("warm")).put("runs_not_warm", notWarm[0]);
    log.info(
        "sandbox {}: p50 baseline {} ms, bwrap {} ms, cold {} ms, warm {} ms",
        lang.word(),
        out.path("baseline").path("p50_ms").asDouble(),
        out.path("baseline_bwrap").path("p50_ms").asDouble(),
        out.path("cold").path("p50_ms").asDouble(),
        out.path("warm").path("p50_ms").asDouble());
  }

  /** One script through {@code s}; its duration in ns. Fails on anything but OK with 1. */
  private static long runOnce(Sandbox s, Script script, List<Long> inside, int[] notWarm)
      throws Exception {
    long t0 = System.nanoTime();
    ExecResult r =
        s.execute(script, Limits.DEFAULTS, OutputListener.NONE)
            .get(RUN_WAIT.toSeconds(), TimeUnit.SECONDS);
    long took = System.nanoTime() - t0;
    check(r);
    inside.add(r.wallMillis() * 1_000_000);
    if (notWarm != null && !r.details().contains("warm sandbox")) {
      notWarm[0]++;
    }
    return took;
  }

  private static void check(ExecResult r) {
    if (!r.isOk() || r.result() == null || r.result().asInt() != 1) {
      throw new IllegalStateException(
          "the trivial script did not return 1: "
              + r.verdict()
              + " "
              + r.result()
              + " "
              + r.details()
              + (r.error() != null ? " " + r.error() : "")
              + " stderr: "
              + r.stderr());
    }
  }

  /** Waits (bounded) until the pool of {@code lang} is full again, as a caller with spare time. */
  private static void waitIdle(Sandbox s, Script.Lang lang) throws InterruptedException {
    long end = System.nanoTime() + RUN_WAIT.toNanos();
    while (s.idle(lang) < POOL && System.nanoTime() < end) {
      Thread.sleep(2);
    }
  }

  // -- throughput --------------------------------------------------------------------------------

  private void throughput(ObjectMapper json, ObjectNode out, Script.Lang lang, Sandbox warm)
      throws Exception {
    Script script = script(lang);
    ArrayNode tried = out.putArray("throughput_tried");
    ObjectNode best = null;
    for (int c : CONCURRENCY) {
      waitIdle(warm, lang);
      LongAdder warmRuns = new LongAdder();
      LongAdder coldRuns = new LongAdder();
      LongAdder failed = new LongAdder();
      String[] firstFailure = {null};
      Duration measure = cfg.quick() ? Duration.ofSeconds(2) : Duration.ofSeconds(10);
      Throughput t =
          Harness.pipelined(
              c,
              Duration.ofSeconds(1),
              measure,
              () ->
                  warm.execute(script, Limits.DEFAULTS, OutputListener.NONE)
                      .thenApply(
                          r -> {
                            (r.details().contains("warm sandbox") ? warmRuns : coldRuns)
                                .increment();
                            try {
                              check(r);
                            } catch (IllegalStateException e) {
                              failed.increment();
                              synchronized (firstFailure) {
                                if (firstFailure[0] == null) {
                                  firstFailure[0] = e.getMessage();
                                }
                              }
                              throw e;
                            }
                            return r;
                          }));
      ObjectNode row =
          json.createObjectNode()
              .put("concurrency", c)
              .put("scripts", t.calls())
              .put("failed", t.errors())
              .put("seconds", t.seconds())
              .put("scripts_per_s", t.perSecond())
              .put("warm_runs", warmRuns.sum())
              .put("cold_runs", coldRuns.sum());
      if (firstFailure[0] != null) {
        row.put("first_failure", firstFailure[0]);
      }
      tried.add(row);
      log.info(
          "sandbox {}: {} in flight: {} scripts/s ({} warm, {} cold runs, warm-up included)",
          lang.word(),
          c,
          String.format("%.1f", t.perSecond()),
          warmRuns.sum(),
          coldRuns.sum());
      if (best == null || t.perSecond() > best.path("scripts_per_s").asDouble()) {
        best = row;
      }
    }
    out.set("throughput", best);
  }

  // -- the baselines -----------------------------------------------------------------------------

  /**
   * Runs {@code cmd} to its exit with the sandbox's environment (its allowlist only: the bench's
   * own, e.g. {@code NODE_EXTRA_CA_CERTS}, would slow the interpreter down); its duration in ns.
   */
  private static long exec(List<String> cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(ENVIRONMENT);
    long t0 = System.nanoTime();
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] output = p.getInputStream().readAllBytes();
    if (!p.waitFor(RUN_WAIT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + String.join(" ", cmd));
    }
    long took = System.nanoTime() - t0;
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "exit "
              + p.exitValue()
              + " from "
              + String.join(" ", cmd)
              + ": "
              + new String(output, StandardCharsets.UTF_8).strip());
    }
    return took;
  }

  /**
   * {@code bare} under bwrap as the sandbox starts it (BwrapCommand, docs/sandbox.md): setpriv when
   * root, the same namespaces, environment, binds, tmpfs and read-only remounts, prlimit with the
   * default limits; without the cgroup-joining shell, the seccomp filter, the runner and its FIFO.
   */
  static List<String> bwrapCommand(Path bwrap, Script.Lang lang, Path exe, List<String> bare) {
    Limits limits = Limits.DEFAULTS;
    List<String> cmd = new ArrayList<>();
    if (isRoot()) {
      cmd.addAll(
          List.of(
              "/usr/bin/setpriv",
              "--reuid=" + SANDBOX_UID,
              "--regid=" + SANDBOX_UID,
              "--clear-groups",
              "--"));
    }
    cmd.add(bwrap.toString());
    cmd.addAll(List.of("--unshare-user", "--uid", "" + SANDBOX_UID, "--gid", "" + SANDBOX_UID));
    cmd.addAll(List.of("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"));
    cmd.addAll(List.of("--unshare-cgroup-try", "--hostname", "sandbox"));
    boolean modern = atLeast08(firstLine(bwrap.toString(), "--version"));
    if (modern) {
      cmd.add("--disable-userns");
    }
    cmd.addAll(List.of("--cap-drop", "ALL", "--die-with-parent", "--new-session", "--clearenv"));
    for (String k : List.of("PATH", "HOME", "TMPDIR", "LANG", "TZ")) {
      cmd.addAll(List.of("--setenv", k, ENVIRONMENT.get(k)));
    }
    cmd.addAll(List.of("--ro-bind", "/usr", "/usr"));
    for (String top : List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")) {
      Path p = Path.of(top);
      if (Files.isSymbolicLink(p)) {
        try {
          cmd.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), top));
        } catch (IOException e) {
          // unreadable link: left out, as the sandbox does
        }
      } else if (Files.isDirectory(p)) {
        cmd.addAll(List.of("--ro-bind", top, top));
      }
    }
    cmd.addAll(List.of("--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"));
    // an interpreter outside /usr (pyenv, nvm) needs its prefix, as the sandbox binds it
    Path prefix = exe.getParent() == null ? null : exe.getParent().getParent();
    if (prefix != null && !prefix.startsWith("/usr") && !prefix.equals(Path.of("/"))) {
      cmd.addAll(List.of("--ro-bind", prefix.toString(), prefix.toString()));
    }
    cmd.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--perms", "1777"));
    if (modern) {
      cmd.addAll(List.of("--size", "" + (long) limits.tmpfsMb() * 1024 * 1024));
    }
    cmd.addAll(List.of("--tmpfs", "/tmp"));
    cmd.addAll(List.of("--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/tmp", "--"));
    if (Files.isExecutable(Path.of("/usr/bin/prlimit"))) {
      long cpu = Math.max(1, (limits.cpuTime().toMillis() + 999) / 1000);
      long asMb =
          lang == Script.Lang.PYTHON
              ? limits.memoryMb()
              : limits.memoryMb() + Long.parseLong(NODE_EXTRA_ADDRESS_SPACE_MB);
      cmd.addAll(
          List.of(
              "/usr/bin/prlimit",
              "--as=" + asMb * 1024 * 1024,
              "--cpu=" + cpu + ":" + (cpu + 1),
              "--nproc=" + (limits.maxProcesses() + 1),
              "--fsize=" + limits.maxFileSizeBytes(),
              "--nofile=256",
              "--core=0",
              "--"));
    }
    cmd.addAll(bare);
    return cmd;
  }

  /** The interpreter the sandbox runs (Host's choice: the system one first), resolved. */
  static Path interpreter(Script.Lang lang) throws IOException {
    Path system = Path.of(lang == Script.Lang.PYTHON ? "/usr/bin/python3" : "/usr/bin/node");
    if (Files.isExecutable(system)) {
      return system.toRealPath();
    }
    if (lang == Script.Lang.PYTHON) {
      String real =
          firstLine(onPath("python3").toString(), "-c", "import sys; print(sys.executable)");
      return Path.of(real.strip()).toRealPath();
    }
    return onPath("node").toRealPath();
  }

  private static Script script(Script.Lang lang) {
    return lang == Script.Lang.PYTHON ? Script.python(PYTHON_SCRIPT) : Script.js(JS_SCRIPT);
  }

  private static Path bwrap() {
    try {
      return onPath("bwrap");
    } catch (IOException e) {
      Path p = Path.of("/usr/bin/bwrap");
      return Files.isExecutable(p) ? p : null;
    }
  }

  private static Path onPath(String name) throws IOException {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name);
      }
    }
    throw new IOException(name + " not found on the PATH");
  }

  private static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0");
        }
      }
    } catch (IOException | ArrayIndexOutOfBoundsException e) {
      // not Linux
    }
    return false;
  }

  static boolean atLeast08(String version) {
    String[] p = version.replaceAll("[^0-9.]", "").split("\\.");
    try {
      int major = Integer.parseInt(p[0]);
      int minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
      return major > 0 || minor >= 8;
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      return false;
    }
  }

  /** The first line of a short command's output ("" if it fails). */
  private static String firstLine(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return out.lines().findFirst().orElse("").strip();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  // -- figures -----------------------------------------------------------------------------------

  /** Runs, min, p50, p90, max, mean in ms; p50/p90 by nearest rank, as {@link Latency}. */
  static ObjectNode stats(ObjectMapper json, List<Long> nanos) {
    long[] s = nanos.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(s);
    double sum = 0;
    for (long v : s) {
      sum += v;
    }
    return json.createObjectNode()
        .put("runs", s.length)
        .put("min_ms", s[0] / 1e6)
        .put("p50_ms", rank(s, 50) / 1e6)
        .put("p90_ms", rank(s, 90) / 1e6)
        .put("max_ms", s[s.length - 1] / 1e6)
        .put("mean_ms", sum / s.length / 1e6);
  }

  private static long rank(long[] sorted, double percentile) {
    int i = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static double median(List<Long> nanos) {
    if (nanos.isEmpty()) {
      return 0;
    }
    long[] s = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return rank(s, 50) / 1e6;
  }
}
