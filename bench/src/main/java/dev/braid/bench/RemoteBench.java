package dev.braid.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.api.Braid;
import dev.braid.api.BraidConfig;
import dev.braid.api.CallOptions;
import dev.braid.api.RemoteFunction;
import dev.braid.api.WorkerListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call to a remote worker (a standalone {@code python -m braid_worker --connect} over TCP + TLS)
 * against the same call to the gateway's own worker on its Unix socket, in one run: sequential p50,
 * throughput at 1,024 in flight, cancel latency. Two settings:
 *
 * <ul>
 *   <li><b>loopback</b>: the remote worker dials 127.0.0.1 (TLS all the same);
 *   <li><b>netns</b> (root only): the gateway and the remote worker on two "hosts", network
 *       namespaces joined by a veth pair made here, routes checked before any traffic. The gateway
 *       then runs in a child JVM inside its namespace ({@code --inside}), which measures and prints
 *       its figures as JSON.
 * </ul>
 *
 * <p>{@code bash bench/remote [--quick]}; prints a table and writes {@code bench/out/remote.json}.
 */
public final class RemoteBench {
  private static final Logger log = LoggerFactory.getLogger(RemoteBench.class);
  static final String POOL = "bench";
  static final String LOCAL = "python";
  static final String REMOTE = "python@" + POOL;
  static final String GATEWAY_ADDR = "198.18.0.1";
  static final String WORKER_ADDR = "198.18.0.2";
  static final int NETNS_PORT = 7071;
  static final String PAYLOAD = "ping-0123456789";

  private RemoteBench() {}

  public static void main(String[] args) throws Exception {
    ObjectMapper json = new ObjectMapper();
    if (args.length > 0 && args[0].equals("--inside")) {
      inside(json, Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    BenchConfig cfg = BenchConfig.parse(args);
    Files.createDirectories(cfg.outDir());
    Path dir = Files.createTempDirectory("braid-remote-bench-");
    Path cert = dir.resolve("hub.pem");
    Path key = dir.resolve("hub-key.pem");
    selfSigned(dir, cert, key, "127.0.0.1", GATEWAY_ADDR);
    Path token = dir.resolve("bench.token");
    Files.writeString(token, HexFormat.of().formatHex(randomBytes(24)) + "\n");

    ObjectNode out = json.createObjectNode();
    out.put("date", java.time.Instant.now().toString());
    out.put("load_before", Files.readString(Path.of("/proc/loadavg")).strip());
    out.set("loopback", loopback(json, cfg, dir, cert, key, token));
    if ("root".equals(System.getProperty("user.name"))) {
      out.set("netns", netns(json, cfg, dir, cert, key, token));
    } else {
      out.put("netns", "skipped: network namespaces need root");
    }
    Path file = cfg.outDir().resolve("remote.json");
    json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), out);
    System.out.println(table(out));
    System.out.println("raw: " + file);
  }

  /** Both workers on this host; the remote one over loopback TCP + TLS. */
  private static ObjectNode loopback(
      ObjectMapper json, BenchConfig cfg, Path dir, Path cert, Path key, Path token)
      throws Exception {
    try (Braid braid = gateway(cfg.benchPython(), "127.0.0.1", 0, cert, key, token)) {
      Process worker =
          worker(cfg, dir, List.of(), "127.0.0.1:" + braid.workerListenPort(), cert, token);
      try {
        return measure(json, cfg, braid);
      } finally {
        stop(worker);
      }
    }
  }

  /** The gateway (a child JVM) and the remote worker in two namespaces joined by a veth pair. */
  private static JsonNode netns(
      ObjectMapper json, BenchConfig cfg, Path dir, Path cert, Path key, Path token)
      throws Exception {
    String s = HexFormat.of().formatHex(randomBytes(3));
    String gw = "braid-bgw-" + s;
    String wk = "braid-bwk-" + s;
    String gwVeth = "rbg" + s;
    String wkVeth = "rbw" + s;
    Process gateway = null;
    Process worker = null;
    try {
      ip("netns", "add", gw);
      ip("netns", "add", wk);
      ip("link", "add", gwVeth, "type", "veth", "peer", "name", wkVeth);
      ip("link", "set", gwVeth, "netns", gw);
      ip("link", "set", wkVeth, "netns", wk);
      ip("-n", gw, "addr", "add", GATEWAY_ADDR + "/30", "dev", gwVeth);
      ip("-n", wk, "addr", "add", WORKER_ADDR + "/30", "dev", wkVeth);
      for (String ns : List.of(gw, wk)) {
        ip("-n", ns, "link", "set", "lo", "up");
      }
      ip("-n", gw, "link", "set", gwVeth, "up");
      ip("-n", wk, "link", "set", wkVeth, "up");
      // before any traffic: each side reaches the other through its own veth
      if (!ip("-n", gw, "route", "get", WORKER_ADDR).contains("dev " + gwVeth)
          || !ip("-n", wk, "route", "get", GATEWAY_ADDR).contains("dev " + wkVeth)) {
        throw new IllegalStateException("the namespaces' routes do not go through the veth pair");
      }
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", gw));
      cmd.addAll(
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xms512m",
              "-Xmx1g",
              "-Dbraid.home=" + cfg.home(),
              "-cp",
              System.getProperty("java.class.path"),
              RemoteBench.class.getName(),
              "--inside",
              cfg.benchPython().toString(),
              cert.toString(),
              key.toString(),
              token.toString(),
              String.valueOf(cfg.quick())));
      Path result = dir.resolve("netns.json");
      gateway =
          new ProcessBuilder(cmd)
              .redirectOutput(result.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      worker =
          worker(
              cfg,
              dir,
              List.of("ip", "netns", "exec", wk),
              GATEWAY_ADDR + ":" + NETNS_PORT,
              cert,
              token);
      if (!gateway.waitFor(10, TimeUnit.MINUTES) || gateway.exitValue() != 0) {
        throw new IllegalStateException("the gateway in the namespace failed; see stderr above");
      }
      return json.readTree(result.toFile());
    } finally {
      if (worker != null) {
        stop(worker);
      }
      if (gateway != null) {
        gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      run(List.of("ip", "netns", "del", gw));
      run(List.of("ip", "netns", "del", wk));
    }
  }

  /** The child JVM inside the gateway's namespace: measure, print JSON on stdout. */
  private static void inside(ObjectMapper json, String[] a) throws Exception {
    Path benchPython = Path.of(a[0]);
    BenchConfig cfg =
        new BenchConfig(
            Path.of(System.getProperty("braid.home")),
            null,
            benchPython,
            null,
            Boolean.parseBoolean(a[4]),
            false,
            java.util.Set.of());
    try (Braid braid =
        gateway(
            benchPython, GATEWAY_ADDR, NETNS_PORT, Path.of(a[1]), Path.of(a[2]), Path.of(a[3]))) {
      ObjectNode r = measure(json, cfg, braid);
      System.out.println(json.writeValueAsString(r));
    }
  }

  private static Braid gateway(
      Path benchPython, String host, int port, Path cert, Path key, Path token) {
    return Braid.start(
        BraidConfig.builder()
            .addPythonPath(benchPython)
            .pythonWorkers(1)
            .startTimeout(Duration.ofSeconds(60))
            .workerListener(
                new WorkerListener(
                    host, port, cert, key, null, Map.of(POOL, token), Duration.ofSeconds(10)))
            .build());
  }

  private static Process worker(
      BenchConfig cfg, Path dir, List<String> prefix, String target, Path ca, Path token)
      throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(
        List.of(
            cfg.home().resolve(".venv/bin/python").toString(),
            "-m",
            "braid_worker",
            "--connect",
            target,
            "--pool",
            POOL,
            "--token-file",
            token.toString(),
            "--tls-ca",
            ca.toString(),
            "--preload",
            "braid_bench",
            "--log-level",
            "WARNING"));
    return new ProcessBuilder(cmd)
        .directory(cfg.benchPython().toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("worker-" + System.nanoTime() + ".log").toFile())
        .start();
  }

  /** The same figures for the gateway's own worker and the remote one, interleaved. */
  private static ObjectNode measure(ObjectMapper json, BenchConfig cfg, Braid braid)
      throws Exception {
    RemoteFunction local = braid.function(LOCAL + ":braid_bench:echo");
    RemoteFunction remote = braid.function(REMOTE + ":braid_bench:echo");
    // both answer before anything is timed (the remote one may still be connecting)
    local.call("start").get(60, TimeUnit.SECONDS);
    remote.call("start").get(90, TimeUnit.SECONDS);
    ObjectNode out = json.createObjectNode();
    List<Object> args = List.of(PAYLOAD);
    for (String which : List.of("unix", "tcp_tls")) {
      out.putObject(which);
    }
    for (int round = 1; round <= 2; round++) {
      for (String which : List.of("unix", "tcp_tls")) {
        RemoteFunction f = which.equals("unix") ? local : remote;
        log.info("remote bench: {} round {}: sequential", which, round);
        long[] nanos =
            Harness.sequential(
                cfg.samples(2_000),
                cfg.samples(5_000),
                () -> f.call(args, CallOptions.DEFAULT).get(10, TimeUnit.SECONDS));
        ObjectNode w = (ObjectNode) out.get(which);
        w.set("latency_round_" + round, Latency.of(nanos).toJson(json));
        log.info("remote bench: {} round {}: 1024 in flight", which, round);
        Throughput t =
            Harness.pipelined(
                1024,
                cfg.phase(Duration.ofMillis(1000)),
                cfg.phase(Duration.ofMillis(2500)),
                () -> f.call(args, CallOptions.DEFAULT));
        w.set("throughput_round_" + round, t.toJson(json));
      }
    }
    out.set("cancel_unix", new CancelBench(cfg, LOCAL).run(json, braid));
    out.set("cancel_tcp_tls", new CancelBench(cfg, REMOTE).run(json, braid));
    return out;
  }

  private static String table(ObjectNode out) {
    StringBuilder b = new StringBuilder();
    b.append("| setting | path | p50 µs (round 1 / 2) | calls/s at 1,024 in flight (round 1 / 2) |")
        .append(" cancel one-way p50 µs |\n|---|---|---|---|---|\n");
    for (String setting : List.of("loopback", "netns")) {
      JsonNode s = out.path(setting);
      if (!s.isObject()) {
        b.append("| ").append(setting).append(" | ").append(s.asText()).append(" | | | |\n");
        continue;
      }
      for (String which : List.of("unix", "tcp_tls")) {
        JsonNode w = s.path(which);
        b.append("| ")
            .append(setting)
            .append(" | ")
            .append(
                which.equals("unix") ? "Unix socket (gateway's own worker)" : "TCP + TLS (remote)")
            .append(" | ")
            .append(us(w.path("latency_round_1").path("p50_us")))
            .append(" / ")
            .append(us(w.path("latency_round_2").path("p50_us")))
            .append(" | ")
            .append(
                String.format("%,.0f", w.path("throughput_round_1").path("calls_per_s").asDouble()))
            .append(" / ")
            .append(
                String.format("%,.0f", w.path("throughput_round_2").path("calls_per_s").asDouble()))
            .append(" | ")
            .append(us(s.path("cancel_" + which).path("one_way").path("p50_us")))
            .append(" |\n");
      }
    }
    return b.toString();
  }

  private static String us(JsonNode n) {
    return String.format("%.0f", n.asDouble());
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  /** A self-signed server certificate for these IPs (keytool), the key as PKCS#8 PEM. */
  private static void selfSigned(Path dir, Path cert, Path key, String... ips) throws Exception {
    Path store = dir.resolve("hub.p12");
    StringBuilder san = new StringBuilder("SAN=dns:localhost");
    for (String ip : ips) {
      san.append(",ip:").append(ip);
    }
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    String pass = "braid-bench";
    check(
        run(
            List.of(
                keytool,
                "-genkeypair",
                "-alias",
                "hub",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=braid bench",
                "-ext",
                san.toString(),
                "-validity",
                "2",
                "-keystore",
                store.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                pass)));
    check(
        run(
            List.of(
                keytool,
                "-exportcert",
                "-rfc",
                "-alias",
                "hub",
                "-keystore",
                store.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                pass,
                "-file",
                cert.toString())));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, pass.toCharArray());
    }
    PrivateKey k = (PrivateKey) ks.getKey("hub", pass.toCharArray());
    Files.writeString(
        key,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(k.getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
  }

  private static String ip(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    return check(run(cmd));
  }

  private static String check(String[] r) {
    if (!r[0].equals("0")) {
      throw new IllegalStateException("command failed (" + r[0] + "): " + r[1]);
    }
    return r[1];
  }

  private static String[] run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new String[] {"timeout", String.join(" ", cmd)};
    }
    return new String[] {String.valueOf(p.exitValue()), out};
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }
}
