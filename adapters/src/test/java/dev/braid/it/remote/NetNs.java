package dev.braid.it.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Two network namespaces made by the test, as two "hosts" joined by a veth pair: the gateway's
 * ({@code 198.18.0.1}) and the workers' ({@code 198.18.0.2}). Both ends of every connection are
 * inside these namespaces; before any traffic, {@link #create()} checks with {@code ip -n NS route
 * get ADDR} that each side reaches the other through its own veth. Nothing is ever sent from the
 * host namespace to these addresses (from there they would route out of the machine).
 *
 * <p>Needs root and {@code ip} (iproute2). Without them the test fails in CI ({@code CI=true} or
 * {@code BRAID_REQUIRE_NETNS=1}, which {@code .ci/run} sets) and is skipped, saying why, elsewhere.
 */
public final class NetNs implements AutoCloseable {
  public static final String GATEWAY_ADDR = "198.18.0.1";
  public static final String WORKER_ADDR = "198.18.0.2";

  public final String gateway;
  public final String worker;
  public final String gatewayVeth;
  public final String workerVeth;

  private NetNs(String suffix) {
    gateway = "braid-gw-" + suffix;
    worker = "braid-wk-" + suffix;
    gatewayVeth = "bgw" + suffix;
    workerVeth = "bwk" + suffix;
  }

  /** Skips (or fails, in CI) when namespaces cannot be made here. */
  public static void assumeAvailable() throws Exception {
    String why = null;
    if (!"root".equals(System.getProperty("user.name"))) {
      why = "network namespace tests need root (they run as root in CI)";
    } else if (run(List.of("ip", "-V")).exit != 0) {
      why = "network namespace tests need iproute2's ip (apt-get install iproute2)";
    }
    if (why != null) {
      if ("true".equals(System.getenv("CI")) || "1".equals(System.getenv("BRAID_REQUIRE_NETNS"))) {
        throw new AssertionError(why + ": required in CI");
      }
      Assumptions.abort(why);
    }
  }

  /** Makes both namespaces and the veth pair, and checks the routes before any traffic. */
  public static NetNs create() throws Exception {
    byte[] b = new byte[3];
    new SecureRandom().nextBytes(b);
    NetNs n = new NetNs(HexFormat.of().formatHex(b));
    try {
      n.ip("netns", "add", n.gateway);
      n.ip("netns", "add", n.worker);
      n.ip("link", "add", n.gatewayVeth, "type", "veth", "peer", "name", n.workerVeth);
      n.ip("link", "set", n.gatewayVeth, "netns", n.gateway);
      n.ip("link", "set", n.workerVeth, "netns", n.worker);
      n.ip("-n", n.gateway, "addr", "add", GATEWAY_ADDR + "/30", "dev", n.gatewayVeth);
      n.ip("-n", n.worker, "addr", "add", WORKER_ADDR + "/30", "dev", n.workerVeth);
      for (String ns : List.of(n.gateway, n.worker)) {
        n.ip("-n", ns, "link", "set", "lo", "up");
      }
      n.ip("-n", n.gateway, "link", "set", n.gatewayVeth, "up");
      n.ip("-n", n.worker, "link", "set", n.workerVeth, "up");
      n.checkRoutes();
      return n;
    } catch (Exception | AssertionError e) {
      n.close();
      throw e;
    }
  }

  /** Each side reaches the other through its own veth, and nothing else. */
  public void checkRoutes() throws Exception {
    assertThat(ip("-n", gateway, "route", "get", WORKER_ADDR)).contains("dev " + gatewayVeth);
    assertThat(ip("-n", worker, "route", "get", GATEWAY_ADDR)).contains("dev " + workerVeth);
  }

  /** The command prefix that runs a program inside namespace {@code ns}. */
  public static List<String> exec(String ns) {
    return List.of("ip", "netns", "exec", ns);
  }

  /** Cuts the link at the workers' end (no traffic is sent: a control-plane change). */
  public void cut() throws Exception {
    ip("-n", worker, "link", "set", workerVeth, "down");
  }

  /** Restores the link and checks the routes again. */
  public void restore() throws Exception {
    ip("-n", worker, "link", "set", workerVeth, "up");
    checkRoutes();
  }

  public String ip(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Result r = run(cmd);
    if (r.exit != 0) {
      throw new IOException(String.join(" ", cmd) + " failed (" + r.exit + "): " + r.out);
    }
    return r.out;
  }

  private record Result(int exit, String out) {}

  private static Result run(List<String> cmd) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(127, e.getMessage());
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(124, "timed out: " + cmd);
    }
    return new Result(p.exitValue(), out);
  }

  /** Deletes both namespaces (and with them the veth pair). Idempotent. */
  @Override
  public void close() throws Exception {
    for (String ns : List.of(gateway, worker)) {
      run(List.of("ip", "netns", "del", ns));
    }
  }
}
