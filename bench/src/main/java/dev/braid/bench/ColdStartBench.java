package dev.braid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cold start of {@code braid run} for the dashboard example: {@code ./braid run
 * examples/dashboard/flow.yaml --input '{"userId": 7}' --progress none} as a subprocess, command
 * start → exit, through the {@code braid} launcher (bash: bootstrap checks, including whether the
 * jar is older than the sources) and directly as {@code java <the launcher's JVM flags> -jar
 * gateway/target/braid.jar run ...}, in interleaved rounds after one warm-up of each.
 *
 * <p>Diagnostics: {@code java ... -jar braid.jar --version} (the JVM and the jar's start alone),
 * and a few direct runs with {@code --json}, whose first and last event lines are stamped as they
 * arrive: command start → run started (JVM, parsing, workers started, check), the run itself, and
 * run finished → exit (stopping the workers, JVM exit).
 *
 * <p>The launcher rebuilds the gateway when a source is newer than the jar; a rebuild is not a cold
 * start, so the launcher runs with a no-op {@code mvn} first on its PATH (runs where it would have
 * rebuilt are counted). Also timed: the launcher's bash part alone (its bootstrap checks).
 */
final class ColdStartBench {
  private static final Logger log = LoggerFactory.getLogger(ColdStartBench.class);

  static final String DASHBOARD = "examples/dashboard/flow.yaml";
  static final String INPUT = "{\"userId\": 7}";

  /** The launcher's default JVM flags, if they cannot be read from {@code ./braid}. */
  private static final String DEFAULT_FLAGS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k";

  private static final Duration RUN_WAIT = Duration.ofSeconds(120);

  private final BenchConfig cfg;

  ColdStartBench(BenchConfig cfg) {
    this.cfg = cfg;
  }

  ObjectNode run(ObjectMapper json) throws Exception {
    ObjectNode out = json.createObjectNode();
    Path home = cfg.home();
    Path jar = home.resolve("gateway/target/braid.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no " + jar + ": build the gateway first");
    }
    String flow = DASHBOARD;
    boolean standIn = !Files.isRegularFile(home.resolve(DASHBOARD));
    Path standInDir = null;
    if (standIn || "standin".equals(System.getProperty("bench.coldstart.flow"))) {
      standInDir = Files.createTempDirectory("braid-coldstart");
      flow = standIn(standInDir).toString();
      standIn = true;
    }
    Path fakeBin = Files.createTempDirectory("braid-coldstart-bin");
    try {
      measure(json, out, home, jar, flow, standIn, fakeBin);
    } finally {
      WorkflowBench.deleteTree(fakeBin);
      if (standInDir != null) {
        WorkflowBench.deleteTree(standInDir);
      }
    }
    return out;
  }

  private void measure(
      ObjectMapper json,
      ObjectNode out,
      Path home,
      Path jar,
      String flow,
      boolean standIn,
      Path fakeBin)
      throws Exception {
    out.put("workflow", flow);
    out.put("stand_in", standIn);
    out.put("input", INPUT);
    List<String> flags = launcherFlags(home);
    out.put("jvm_flags", String.join(" ", flags));
    List<String> runArgs = List.of("run", flow, "--input", INPUT, "--progress", "none");
    List<String> launcher = new ArrayList<>();
    launcher.add(home.resolve("braid").toString());
    launcher.addAll(runArgs);
    List<String> direct = javaCommand(home, flags);
    direct.addAll(runArgs);
    out.put("launcher_command", "./braid " + String.join(" ", quoted(runArgs)));
    out.put(
        "direct_command",
        "java "
            + String.join(" ", flags)
            + " -jar gateway/target/braid.jar "
            + String.join(" ", quoted(runArgs)));

    int runs = cfg.quick() ? 3 : 7;
    // The launcher rebuilds the gateway (mvn install) when a source is newer than the jar; in a
    // checkout others are editing, that can happen at any time, and a rebuild is not a cold start.
    // So the launcher runs with a no-op `mvn` first on its PATH: it never builds, and a run where
    // it would have is counted (its `find` then stops at the first newer file, a little sooner).
    Path fakeMvn = fakeBin.resolve("mvn");
    Files.writeString(fakeMvn, "#!/bin/sh\nexit 0\n");
    fakeMvn.toFile().setExecutable(true);
    String path = fakeBin + java.io.File.pathSeparator + System.getenv().getOrDefault("PATH", "");
    staleSource(home, jar)
        .ifPresent(
            s -> {
              log.info(
                  "cold start: {} is newer than braid.jar (the launcher's rebuild is a no-op)", s);
              out.put("stale_source", s);
            });
    log.info(
        "cold start: {} ({}), 1 warm-up + {} runs each", flow, standIn ? "stand-in" : "real", runs);
    // warm-up: the page cache, the Java source cache of java: functions, Python's bytecode
    Timed warm = time(direct, null);
    out.put("result", warm.stdout.trim());
    time(launcher, path);
    List<Long> viaLauncher = new ArrayList<>();
    List<Long> viaJava = new ArrayList<>();
    int wouldRebuild = 0;
    for (int i = 0; i < runs; i++) {
      Timed t = time(launcher, path);
      viaLauncher.add(t.nanos);
      wouldRebuild += t.rebuilt ? 1 : 0;
      viaJava.add(time(direct, null).nanos);
    }
    out.put("launcher_would_rebuild", wouldRebuild);
    out.set("launcher", stats(json, viaLauncher));
    out.set("direct", stats(json, viaJava));

    // diagnostics
    List<String> version = javaCommand(home, flags);
    version.add("--version");
    time(version, null);
    List<Long> versions = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      versions.add(time(version, null).nanos);
    }
    out.set("jvm_version_only", stats(json, versions));
    // the launcher's own work: bash, its bootstrap checks (venv, node_modules, sources newer than
    // the jar), without starting Java
    List<String> checks =
        List.of(
            "bash",
            "-c",
            "set -euo pipefail; BRAID_HOME=\"$1\"; export BRAID_HOME; . \"$BRAID_HOME/.ci/bootstrap\";"
                + " braid_bootstrap_python; braid_bootstrap_node; braid_bootstrap_java",
            "bash",
            home.toString());
    time(checks, path);
    List<Long> checkTimes = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      checkTimes.add(time(checks, path).nanos);
    }
    out.set("launcher_checks_only", stats(json, checkTimes));
    List<String> jsonRun = new ArrayList<>(direct);
    jsonRun.add("--json");
    ArrayNode phases = out.putArray("phases");
    List<Long> toStart = new ArrayList<>();
    List<Long> running = new ArrayList<>();
    List<Long> toExit = new ArrayList<>();
    for (int i = 0; i < Math.min(runs, 5); i++) {
      Timed t = time(jsonRun, null);
      if (t.firstLine < 0 || t.lastLine < 0) {
        continue;
      }
      toStart.add(t.firstLine);
      running.add(t.lastLine - t.firstLine);
      toExit.add(t.nanos - t.lastLine);
      phases.add(
          json.createObjectNode()
              .put("to_run_started_ms", t.firstLine / 1e6)
              .put("run_ms", (t.lastLine - t.firstLine) / 1e6)
              .put("to_exit_ms", (t.nanos - t.lastLine) / 1e6)
              .put("total_ms", t.nanos / 1e6));
    }
    if (!toStart.isEmpty()) {
      ObjectNode p = out.putObject("phases_median");
      p.put("to_run_started_ms", median(toStart) / 1e6);
      p.put("run_ms", median(running) / 1e6);
      p.put("to_exit_ms", median(toExit) / 1e6);
    }
    log.info(
        "cold start: launcher p50 {} ms, java -jar p50 {} ms, java --version p50 {} ms",
        median(viaLauncher) / 1_000_000,
        median(viaJava) / 1_000_000,
        median(versions) / 1_000_000);
  }

  /** {@code java <flags> -Dbraid.home=HOME -jar gateway/target/braid.jar}, as the launcher runs. */
  private static List<String> javaCommand(Path home, List<String> flags) {
    List<String> cmd = new ArrayList<>();
    cmd.add("java");
    cmd.addAll(flags);
    cmd.add("-Dbraid.home=" + home);
    cmd.add("-jar");
    cmd.add(home.resolve("gateway/target/braid.jar").toString());
    return cmd;
  }

  /** The launcher's JVM flags: {@code BRAID_JAVA_OPTS} if set, else its default. */
  static List<String> launcherFlags(Path home) {
    String env = System.getenv("BRAID_JAVA_OPTS");
    if (env != null && !env.isBlank()) {
      return Arrays.asList(env.trim().split("\\s+"));
    }
    String flags = DEFAULT_FLAGS;
    try {
      Matcher m =
          Pattern.compile("BRAID_JAVA_OPTS:-([^}\"]*)}")
              .matcher(Files.readString(home.resolve("braid")));
      if (m.find()) {
        flags = m.group(1);
      }
    } catch (IOException e) {
      // keep the default
    }
    return Arrays.asList(flags.trim().split("\\s+"));
  }

  /**
   * The first source the launcher's bootstrap would find newer than the jar (its own test: {@code
   * pom.xml}, {@code proto/}, {@code adapters/pom.xml}, {@code adapters/src/main}, {@code
   * gateway/pom.xml}, {@code gateway/src/main}), if any.
   */
  static Optional<String> staleSource(Path home, Path jar) throws IOException {
    FileTime built = Files.getLastModifiedTime(jar);
    for (String p :
        List.of(
            "pom.xml",
            "proto",
            "adapters/pom.xml",
            "adapters/src/main",
            "gateway/pom.xml",
            "gateway/src/main")) {
      Path root = home.resolve(p);
      if (!Files.exists(root)) {
        continue;
      }
      try (Stream<Path> s = Files.walk(root)) {
        Optional<Path> newer =
            s.filter(
                    f -> {
                      try {
                        return Files.getLastModifiedTime(f).compareTo(built) > 0;
                      } catch (IOException e) {
                        return false; // gone meanwhile
                      }
                    })
                .findFirst();
        if (newer.isPresent()) {
          return Optional.of(home.relativize(newer.get()).toString());
        }
      } catch (java.io.UncheckedIOException e) {
        // a file vanished during the walk (someone is building): treat as stale
        return Optional.of(p + " (changing while checked)");
      }
    }
    return Optional.empty();
  }

  /** One timed run of a command, command start → exit; stdout's first and last lines stamped. */
  private static final class Timed {
    long nanos;
    long firstLine = -1;
    long lastLine = -1;
    String stdout = "";
    boolean rebuilt;
  }

  /** Runs {@code cmd} in the checkout, with {@code path} as its PATH if not null. */
  private Timed time(List<String> cmd, String path) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cfg.home().toFile());
    if (path != null) {
      pb.environment().put("PATH", path);
    }
    Timed t = new Timed();
    long t0 = System.nanoTime();
    Process p = pb.start();
    p.getOutputStream().close();
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                return "";
              }
            });
    StringBuilder sb = new StringBuilder();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        long now = System.nanoTime() - t0;
        if (t.firstLine < 0) {
          t.firstLine = now;
        }
        t.lastLine = now;
        sb.append(line).append('\n');
      }
    }
    if (!p.waitFor(RUN_WAIT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out after " + RUN_WAIT + ": " + cmd);
    }
    t.nanos = System.nanoTime() - t0;
    t.stdout = sb.toString();
    String stderr = err.get(10, TimeUnit.SECONDS);
    t.rebuilt = stderr.contains("building the gateway");
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "exit " + p.exitValue() + " from " + String.join(" ", cmd) + "\n" + stderr.strip());
    }
    return t;
  }

  private static ObjectNode stats(ObjectMapper json, List<Long> nanos) {
    long[] s = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    ArrayNode all = json.createArrayNode();
    for (long v : nanos) {
      all.add(Math.round(v / 1e5) / 10.0);
    }
    ObjectNode o =
        json.createObjectNode()
            .put("runs", s.length)
            .put("min_ms", s[0] / 1e6)
            .put("p50_ms", median(nanos) / 1e6)
            .put("max_ms", s[s.length - 1] / 1e6);
    o.set("all_ms", all);
    return o;
  }

  /** The median (the mean of the middle two for an even count). */
  private static long median(List<Long> nanos) {
    long[] s = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  private static List<String> quoted(List<String> args) {
    List<String> out = new ArrayList<>();
    for (String a : args) {
      out.add(a.matches("[A-Za-z0-9_./:=-]+") ? a : "'" + a + "'");
    }
    return out;
  }

  /**
   * A dashboard-like stand-in, used while {@code examples/dashboard/flow.yaml} does not exist:
   * three independent calls (Python, Node, and a Java class compiled from source in the folder)
   * reading only the input, and an output combining them.
   */
  static Path standIn(Path dir) throws IOException {
    Files.writeString(
        dir.resolve("profiles.py"),
        "import asyncio\n\n\n"
            + "async def get_profile(user_id: int) -> dict:\n"
            + "    await asyncio.sleep(0.03)\n"
            + "    return {\"id\": user_id, \"name\": \"Ada\", \"tier\": \"gold\"}\n");
    Files.writeString(
        dir.resolve("orders.mjs"),
        "import { setTimeout as sleep } from 'node:timers/promises';\n"
            + "export async function recentOrders(userId, ctx) {\n"
            + "  await sleep(40, undefined, { signal: ctx.signal });\n"
            + "  return [{ id: `${userId}-100`, total: 59 }];\n"
            + "}\n");
    Files.writeString(
        dir.resolve("Recommendations.java"),
        "import java.util.List;\n"
            + "public final class Recommendations {\n"
            + "  public static List<String> forUser(int userId) {\n"
            + "    return List.of(\"tea\", \"kettle\");\n"
            + "  }\n"
            + "}\n");
    Path flow = dir.resolve("flow.yaml");
    Files.writeString(
        flow,
        "name: dashboard_stand_in\n"
            + "input:\n  userId: integer\n"
            + "timeout: 2s\n"
            + "steps:\n"
            + "  profile: { call: python:profiles:get_profile, with: { user_id: \"${{ input.userId }}\" } }\n"
            + "  orders: { call: node:orders.mjs#recentOrders, args: [\"${{ input.userId }}\"] }\n"
            + "  recommendations:\n"
            + "    call: java:Recommendations#forUser\n"
            + "    with: { userId: \"${{ input.userId }}\" }\n"
            + "    on_error: { value: [] }\n"
            + "output:\n"
            + "  user: \"${{ steps.profile.name }}\"\n"
            + "  orders: \"${{ steps.orders }}\"\n"
            + "  recommendations: \"${{ steps.recommendations }}\"\n");
    return flow;
  }
}
