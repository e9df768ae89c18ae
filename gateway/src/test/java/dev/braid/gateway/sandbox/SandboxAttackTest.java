package dev.braid.gateway.sandbox;

import static dev.braid.gateway.sandbox.Sandboxes.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DESIGN §10's sandbox attacks, one test each: the verdict it must get, and proof the host was
 * untouched. After every test no process of any sandbox may be left (cold sandboxes only here).
 */
@Timeout(90)
class SandboxAttackTest {
  private static final Limits LIMITS =
      Limits.DEFAULTS
          .withCpuTime(Duration.ofSeconds(2))
          .withWallTimeout(Duration.ofSeconds(15))
          .withMemoryMb(128);
  private static Sandbox sandbox;

  @BeforeAll
  static void start() {
    sandbox = Sandboxes.create(0);
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  private Set<Long> before;

  @BeforeEach
  void snapshot() {
    before = descendants();
  }

  /** Every process started during the test (only sandboxes here) must be gone after it. */
  @AfterEach
  void nothingOfTheSandboxIsLeft() throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Set<Long> left = new HashSet<>(descendants());
    left.removeAll(before);
    while (!left.isEmpty() && System.nanoTime() < end) {
      Thread.sleep(20);
      left.retainAll(descendants());
    }
    assertThat(left).as("processes left behind").isEmpty();
  }

  private static Set<Long> descendants() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }

  private static ExecResult py(String code) {
    return run(sandbox, Script.python(code), LIMITS);
  }

  @Test
  void forkBombIsStoppedByTheProcessLimit() {
    ExecResult r =
        py(
            // Each process that meets the limit reports once, then waits: 64 processes printing in
            // a loop would meet the output limit before the time limit.
            "import os, sys, time\n"
                + "n = 0\n"
                + "while True:\n"
                + "    try:\n"
                + "        os.fork()\n"
                + "        n += 1\n"
                + "    except OSError:\n"
                + "        print('limit after', n, flush=True)\n"
                + "        time.sleep(3600)\n");
    assertThat(r.verdict()).as(r.toString()).isIn(Verdict.TIME_LIMIT, Verdict.WALL_TIME_LIMIT);
    assertThat(r.stdout()).contains("limit after");
  }

  @Test
  void aForkBombDoesNotStarveAnotherSandbox() throws Exception {
    // Every sandbox runs as the same uid (65534), and RLIMIT_NPROC counts a uid's tasks: it is the
    // sandbox's own user namespace that keeps the count per sandbox (ucounts, Linux 5.14+), so a
    // bomb at its limit leaves the others free to start processes (bwrap itself forks) and threads
    CompletableFuture<Void> saturated = new CompletableFuture<>();
    CompletableFuture<ExecResult> bomb =
        sandbox.execute(
            Script.python(
                "import os, time\n"
                    + "while True:\n"
                    + "    try:\n"
                    + "        os.fork()\n"
                    + "    except OSError:\n"
                    + "        print('limit', flush=True)\n"
                    + "        time.sleep(0.01)\n"),
            LIMITS.withCpuTime(Duration.ofSeconds(30)),
            (stream, text) -> {
              if (text.contains("limit")) {
                saturated.complete(null);
              }
            });
    try {
      saturated.get(30, TimeUnit.SECONDS);
      ExecResult js =
          run(sandbox, Script.js("export function main() { return 'still here'; }"), LIMITS);
      assertThat(js.verdict()).as(js.toString()).isEqualTo(Verdict.OK);
      ExecResult other = py("def main(x):\n    import os\n    return os.fork() > 0 or os._exit(0)");
      assertThat(other.verdict()).as(other.toString()).isEqualTo(Verdict.OK);
      assertThat(bomb).isNotDone();
    } finally {
      bomb.cancel(true);
    }
  }

  @Test
  void memoryBombIsMemoryLimit() {
    ExecResult r = py("b = bytearray(8 << 30)");
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.MEMORY_LIMIT);
    ExecResult grow = py("a = []\nwhile True:\n    a.append(' ' * (1 << 20))");
    assertThat(grow.verdict()).as(grow.toString()).isEqualTo(Verdict.MEMORY_LIMIT);
    if (grow.details().contains("cgroup")) {
      assertThat(grow.peakMemoryKb()).isLessThanOrEqualTo(128 * 1024 + 1024);
    }
  }

  @Test
  void infiniteLoopIsTimeLimit() {
    ExecResult r = py("while True:\n    pass");
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.TIME_LIMIT);
  }

  @Test
  void sleeperIsWallTimeLimit() {
    ExecResult r =
        run(
            sandbox,
            Script.python("import time\ntime.sleep(600)"),
            LIMITS.withWallTimeout(Duration.ofSeconds(1)));
    assertThat(r.verdict()).isEqualTo(Verdict.WALL_TIME_LIMIT);
    assertThat(r.wallMillis()).isLessThan(6_000);
  }

  @Test
  void outputFloodIsOutputLimit() {
    ExecResult r =
        run(
            sandbox,
            Script.python("import os\nwhile True:\n    os.write(1, b'x' * 65536)\n"),
            LIMITS.withMaxOutputBytes(100_000));
    assertThat(r.verdict()).isEqualTo(Verdict.OUTPUT_LIMIT);
    assertThat(r.stdout().length()).isLessThanOrEqualTo(100_000);
    ExecResult err =
        run(
            sandbox,
            Script.js(
                "import { writeSync } from 'node:fs';\nfor (;;) writeSync(2, 'y'.repeat(10000));"),
            LIMITS.withMaxOutputBytes(100_000));
    assertThat(err.verdict()).isEqualTo(Verdict.OUTPUT_LIMIT);
  }

  @Test
  void diskFillOfTmpHitsTheTmpfsCap() {
    String fill =
        "n = 0\n"
            + "for i in range(1000):\n"
            + "    with open('/tmp/fill%d' % i, 'wb') as f:\n"
            + "        for _ in range(8):\n"
            + "            f.write(b'\\0' * (1 << 20))\n"
            + "            n += 1\n";
    ExecResult r = run(sandbox, Script.python(fill), LIMITS.withMemoryMb(256).withTmpfsMb(32));
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(r.error().type()).isEqualTo("OSError");
    assertThat(r.error().message()).contains("No space left on device");
    ExecResult big = py("open('/tmp/big', 'wb').write(b'\\0' * (32 << 20))");
    assertThat(big.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
    assertThat(big.error().message()).contains("File too large");
  }

  @Test
  void aFileLeftForTheNextRunDoesNotSurvive() {
    String probe =
        "import os\n"
            + "def main(x):\n"
            + "    seen = os.listdir('/tmp')\n"
            + "    open('/tmp/for-the-next-run', 'w').write('boo')\n"
            + "    return seen\n";
    try (Sandbox warm = Sandboxes.create(1)) {
      for (Sandbox s : new Sandbox[] {sandbox, warm, warm}) {
        run(s, Script.python(probe));
        ExecResult second = run(s, Script.python(probe));
        assertThat(second.result()).as(second.toString()).isEmpty();
      }
    }
  }

  @Test
  void hostFilesAreNotThere() {
    Path pom = Path.of("pom.xml").toAbsolutePath();
    assertThat(pom).exists();
    String code =
        "import os\n"
            + "def main(paths):\n"
            + "    out = {}\n"
            + "    for p in paths:\n"
            + "        try:\n"
            + "            with open(p, 'rb') as f:\n"
            + "                out[p] = 'READ %d bytes' % len(f.read())\n"
            + "        except OSError as e:\n"
            + "            out[p] = type(e).__name__\n"
            + "    out['listdir /'] = sorted(os.listdir('/'))\n"
            + "    return out\n";
    JsonNode paths =
        Sandboxes.JSON.valueToTree(
            new String[] {
              pom.toString(),
              "/etc/shadow",
              "/etc/passwd",
              "/root/.bashrc",
              "/root",
              "/home",
              System.getProperty("user.dir"),
              "/proc/1/root/etc/shadow"
            });
    ExecResult r = run(sandbox, Script.python(code).withInput(paths), LIMITS);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.result().toString()).doesNotContain("READ");
    assertThat(r.result().get("listdir /").toString())
        .isEqualTo(
            "[\"bin\",\"dev\",\"etc\",\"lib\",\"lib64\",\"proc\",\"run\",\"sbin\",\"tmp\",\"usr\"]");
  }

  @Test
  void theGatewaysEnvironmentIsInvisible() {
    String code =
        "import os\n"
            + "def main(x):\n"
            + "    seen = dict(os.environ)\n"
            + "    for pid in os.listdir('/proc'):\n"
            + "        if pid.isdigit():\n"
            + "            try:\n"
            + "                seen['/proc/%s' % pid] = open('/proc/%s/environ' % pid, 'rb')"
            + ".read().decode('utf-8', 'replace')\n"
            + "            except OSError as e:\n"
            + "                seen['/proc/%s' % pid] = str(e)\n"
            + "    return seen\n";
    ExecResult r = py(code);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    String seen = r.result().toString();
    // bwrap's own init shows the launcher's environment: nothing but the shell's PWD
    assertThat(r.result().get("/proc/1").asText().replace("\0", ""))
        .as("bwrap's own environment")
        .isIn("", "PWD=/");
    for (Map.Entry<String, String> e : System.getenv().entrySet()) {
      if (e.getValue().length() >= 6 && !e.getKey().equals("LANG") && !e.getKey().equals("TZ")) {
        assertThat(seen).as(e.getKey()).doesNotContain(e.getKey() + "=" + e.getValue());
        assertThat(seen).as(e.getKey()).doesNotContain("\"" + e.getKey() + "\":\"" + e.getValue());
      }
    }
    assertThat(r.result().get("HOME").asText()).isEqualTo("/tmp");
  }

  @Test
  void writingOutsideTmpFails() {
    String code =
        "import os\n"
            + "def main(paths):\n"
            + "    out = {}\n"
            + "    for p in paths:\n"
            + "        try:\n"
            + "            open(p, 'w').write('x')\n"
            + "            out[p] = 'WROTE'\n"
            + "        except OSError as e:\n"
            + "            out[p] = type(e).__name__\n"
            + "    return out\n";
    String tag = "braid-attack-" + System.nanoTime();
    String[] targets = {
      "/" + tag,
      "/usr/" + tag,
      "/etc/" + tag,
      "/run/" + tag,
      "/run/braid/" + tag,
      "/dev/" + tag,
      "/dev/shm/" + tag,
      "/proc/sys/kernel/hostname",
      Path.of(tag).toAbsolutePath().toString()
    };
    ExecResult r =
        run(sandbox, Script.python(code).withInput(Sandboxes.JSON.valueToTree(targets)), LIMITS);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.result().toString()).doesNotContain("WROTE");
    for (String t : targets) {
      if (t.contains(tag)) {
        assertThat(Path.of(t)).doesNotExist();
      }
    }
  }

  @Test
  void loopbackListenersOfTheHostAreUnreachable() throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    try (ServerSocket one = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        ServerSocket two = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.2"))) {
      for (ServerSocket ss : new ServerSocket[] {one, two}) {
        Thread t = new Thread(() -> acceptAll(ss, accepted));
        t.setDaemon(true);
        t.start();
      }
      String code =
          "import socket\n"
              + "def main(targets):\n"
              + "    out = []\n"
              + "    for host, port in targets:\n"
              + "        try:\n"
              + "            socket.create_connection((host, port), timeout=2).close()\n"
              + "            out.append('CONNECTED')\n"
              + "        except OSError as e:\n"
              + "            out.append(type(e).__name__)\n"
              + "    return out\n";
      String targets =
          "[[\"127.0.0.1\"," + one.getLocalPort() + "],[\"127.0.0.2\"," + two.getLocalPort() + "]]";
      ExecResult r = run(sandbox, Script.python(code).withInput(Sandboxes.json(targets)), LIMITS);
      assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
      assertThat(r.result().toString()).doesNotContain("CONNECTED");
      // the listeners work: the host itself can connect
      new Socket("127.0.0.2", two.getLocalPort()).close();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (accepted.get() < 1 && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      assertThat(accepted.get()).as("only the host's own connection").isEqualTo(1);
    }
  }

  @Test
  void killingEverythingAndTheParentHurtsNoOneOutside() throws Exception {
    CompletableFuture<ExecResult> bystander =
        sandbox.execute(
            Script.python("import time\ndef main(x):\n    time.sleep(1.5)\n    return 'alive'"),
            LIMITS,
            null);
    Thread.sleep(300);
    ExecResult r =
        py(
            "import os, signal, subprocess\n"
                + "def main(x):\n"
                + "    for pid in (-1, os.getppid()):\n"
                + "        try:\n"
                + "            os.kill(pid, signal.SIGKILL)\n"
                + "        except OSError:\n"
                + "            pass\n"
                + "    subprocess.run(['/bin/sh', '-c', 'kill -9 -1'])\n"
                + "    return 'after'\n");
    assertThat(r.verdict()).as(r.toString()).isIn(Verdict.OK, Verdict.KILLED);
    ExecResult other = bystander.get(30, TimeUnit.SECONDS);
    assertThat(other.verdict()).as(other.toString()).isEqualTo(Verdict.OK);
    assertThat(other.result().asText()).isEqualTo("alive");
    assertThat(ProcessHandle.current().isAlive()).isTrue();
  }

  @Test
  void procShowsOnlyTheSandboxsOwnProcesses() {
    String code =
        "import os\n"
            + "def main(x):\n"
            + "    out = {}\n"
            + "    for p in os.listdir('/proc'):\n"
            + "        if p.isdigit():\n"
            + "            out[p] = open('/proc/%s/cmdline' % p, 'rb').read().decode().replace('\\0', ' ')\n"
            + "    return out\n";
    ExecResult r = py(code);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.result().size()).isLessThanOrEqualTo(3);
    assertThat(r.result().has("1")).isTrue();
    assertThat(r.result().toString()).doesNotContain("java").doesNotContain("surefire");
    String self = String.valueOf(ProcessHandle.current().pid());
    assertThat(r.result().has(self) && !self.equals("1") && !self.equals("2")).isFalse();
  }

  @Test
  void onlyStdioAndTheRunnersChannelAreInherited() {
    String code =
        "import os\n"
            + "def main(x):\n"
            + "    out = {}\n"
            + "    for fd in os.listdir('/proc/self/fd'):\n"
            + "        try:\n"
            + "            out[fd] = os.readlink('/proc/self/fd/' + fd)\n"
            + "        except OSError:\n"
            + "            pass  # the fd listdir itself used\n"
            + "    return out\n";
    ExecResult r = py(code);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    r.result()
        .fields()
        .forEachRemaining(
            e ->
                assertThat(e.getValue().asText())
                    .as("fd " + e.getKey())
                    .matches("pipe:\\[\\d+]|/run/braid/result|/proc/\\d+/fd"));
    assertThat(r.result().has("0")).isTrue();
    assertThat(r.result().size()).isLessThanOrEqualTo(5);
  }

  @Test
  void symlinksPlantedForTheHostAreNeverFollowed() throws IOException {
    String code =
        "import os\n"
            + "def main(x):\n"
            + "    out = []\n"
            + "    for op in (lambda: os.unlink('/run/braid/result'),\n"
            + "               lambda: os.rename('/run/braid/result', '/tmp/r'),\n"
            + "               lambda: os.symlink('/etc/shadow', '/run/braid/result'),\n"
            + "               lambda: os.symlink('/etc/shadow', '/run/braid/result2'),\n"
            + "               lambda: os.symlink('/etc/shadow', '/tmp/result')):\n"
            + "        try:\n"
            + "            op()\n"
            + "            out.append('DONE')\n"
            + "        except OSError as e:\n"
            + "            out.append(type(e).__name__)\n"
            + "    return out\n";
    ExecResult r = py(code);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    // only the symlink inside the sandbox's own /tmp could be made; the host never looks there
    assertThat(r.result().toString())
        .isEqualTo("[\"OSError\",\"OSError\",\"FileExistsError\",\"OSError\",\"DONE\"]");
    String shadow =
        Files.exists(Path.of("/etc/shadow")) ? Files.readString(Path.of("/etc/shadow")) : "";
    if (shadow.length() > 20) {
      assertThat(r.toString()).doesNotContain(shadow.substring(0, 20));
    }
  }

  @Test
  void aResultLineWrittenByTheScriptDecidesOnlyItsOwnOutcome() {
    // The script shares the runner's process, so it can always write the channel: whatever it
    // writes first is its answer, no more than it could have returned. The sandbox ends there
    // (the sleep would run into the 15 s wall limit) and the usage it claims is not believed
    // where cgroups measure.
    ExecResult r =
        py(
            "import time\n"
                + "def main(x):\n"
                + "    with open('/run/braid/result', 'w') as f:\n"
                + "        f.write('{\"ok\": true, \"value\": \"forged\", "
                + "\"usage\": {\"cpu_ms\": 0, \"rss_kb\": 1}}\\n')\n"
                + "    time.sleep(60)\n"
                + "    return 'real'\n");
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.result().asText()).isEqualTo("forged");
    if (r.details().contains("memory") && r.details().contains(": cgroup")) {
      assertThat(r.peakMemoryKb()).as(r.toString()).isGreaterThan(1);
    }
  }

  @Test
  void aDaemonizedChildDoesNotSurviveTheRun() throws Exception {
    String marker = SandboxCancelTest.marker();
    ExecResult r =
        py(
            "import os\n"
                + "def main(x):\n"
                + "    if os.fork() == 0:\n"
                + "        os.setsid()\n"
                + "        if os.fork() == 0:\n"
                + "            os.execv('/usr/bin/sleep', ['sleep', '"
                + marker
                + "'])\n"
                + "        os._exit(0)\n"
                + "    os.wait()\n"
                + "    return 'daemonized'\n");
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    SandboxCancelTest.awaitGone(marker);
  }

  @Test
  void aTreeThatIgnoresSigtermIsKilled() throws Exception {
    String marker = SandboxCancelTest.marker();
    ExecResult r =
        run(
            sandbox,
            Script.python(
                "import os, signal, subprocess, time\n"
                    + "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                    + "for _ in range(3):\n"
                    + "    subprocess.Popen(['/bin/sh', '-c', 'trap \"\" TERM; exec /usr/bin/sleep "
                    + marker
                    + "'])\n"
                    + "time.sleep(600)\n"),
            LIMITS.withWallTimeout(Duration.ofSeconds(1)));
    assertThat(r.verdict()).isEqualTo(Verdict.WALL_TIME_LIMIT);
    SandboxCancelTest.awaitGone(marker);
  }

  @Test
  void segfaultIsKilledBySignal11() {
    ExecResult r = py("import ctypes\nctypes.string_at(0)");
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.KILLED);
    assertThat(r.signal()).isEqualTo(11);
  }

  @Test
  void nestedNamespacesAreDenied() {
    String code =
        "import ctypes, os, subprocess\n"
            + "def main(x):\n"
            + "    libc = ctypes.CDLL(None, use_errno=True)\n"
            + "    out = {}\n"
            + "    for name, flag in (('user', 0x10000000), ('net', 0x40000000), ('mnt', 0x00020000)):\n"
            + "        rc = libc.unshare(flag)\n"
            + "        out[name] = 'UNSHARED' if rc == 0 else os.strerror(ctypes.get_errno())\n"
            + "    for args in (['unshare', '-r', 'true'], ['unshare', '-n', 'true']):\n"
            + "        out[' '.join(args)] = subprocess.run(args, capture_output=True).returncode\n"
            + "    return out\n";
    ExecResult r = py(code);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.result().toString()).doesNotContain("UNSHARED");
    assertThat(r.result().get("unshare -r true").asInt()).isNotZero();
    assertThat(r.result().get("unshare -n true").asInt()).isNotZero();
  }

  @Test
  void socketFamiliesAScriptHasNoUseForAreDenied() {
    // AF_PACKET needs CAP_NET_RAW anyway (EPERM); the filter answers EAFNOSUPPORT before the
    // kernel's protocol code runs at all. AF_VSOCK and AF_NETLINK needed no privilege.
    String code =
        "import asyncio, ctypes, errno, platform, socket\n"
            + "def main(x):\n"
            + "    out = {}\n"
            + "    for name, fam, typ in (('packet', 17, 3), ('packet_dgram', 17, 2),\n"
            + "                           ('vsock', 40, 1), ('netlink', 16, 3), ('alg', 38, 5),\n"
            + "                           ('bluetooth', 31, 3), ('xdp', 44, 3), ('unspec', 0, 1)):\n"
            + "        try:\n"
            + "            socket.socket(fam, typ, 0).close()\n"
            + "            out[name] = 'CREATED'\n"
            + "        except (OSError, OverflowError) as e:\n"
            + "            out[name] = errno.errorcode.get(getattr(e, 'errno', None), type(e).__name__)\n"
            + "    # the kernel reads an int: AF_VSOCK with upper bits set must not slip through\n"
            + "    libc = ctypes.CDLL(None, use_errno=True)\n"
            + "    nr = {'x86_64': 41, 'aarch64': 198}[platform.machine()]\n"
            + "    fd = libc.syscall(nr, ctypes.c_long((1 << 40) | 40), ctypes.c_long(1), 0)\n"
            + "    out['huge'] = 'CREATED' if fd >= 0 else errno.errorcode[ctypes.get_errno()]\n"
            + "    a, b = socket.socketpair()\n"
            + "    a.sendall(b'unix')\n"
            + "    out['socketpair'] = b.recv(4).decode()\n"
            + "    for fam in (socket.AF_INET, socket.AF_INET6):\n"
            + "        socket.socket(fam, socket.SOCK_STREAM).close()\n"
            + "    async def tick():\n"
            + "        await asyncio.sleep(0)\n"
            + "        return 'loop'\n"
            + "    out['asyncio'] = asyncio.run(tick())\n"
            + "    return out\n";
    ExecResult r = py(code);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    JsonNode o = r.result();
    for (String name :
        new String[] {"packet", "packet_dgram", "vsock", "netlink", "alg", "bluetooth", "xdp"}) {
      assertThat(o.get(name).asText()).as(name + " in " + o).isEqualTo("EAFNOSUPPORT");
    }
    assertThat(o.get("unspec").asText()).as(o.toString()).isNotEqualTo("CREATED");
    assertThat(o.get("huge").asText()).as(o.toString()).isEqualTo("EAFNOSUPPORT");
    assertThat(o.get("socketpair").asText()).isEqualTo("unix");
    assertThat(o.get("asyncio").asText()).isEqualTo("loop");
  }

  @Test
  void nodeStillHasUnixSockets() {
    String code =
        "import net from 'node:net';\n"
            + "export async function main() {\n"
            + "  const path = '/tmp/s.sock';\n"
            + "  const server = net.createServer((c) => c.end('unix'));\n"
            + "  await new Promise((res) => server.listen(path, res));\n"
            + "  const text = await new Promise((res, rej) => {\n"
            + "    let got = '';\n"
            + "    net.connect(path).on('data', (d) => (got += d)).on('end', () => res(got))\n"
            + "      .on('error', rej);\n"
            + "  });\n"
            + "  server.close();\n"
            + "  return text;\n"
            + "}\n";
    ExecResult r = run(sandbox, Script.js(code), LIMITS);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.result().asText()).isEqualTo("unix");
  }

  private static void acceptAll(ServerSocket ss, AtomicInteger accepted) {
    try {
      while (true) {
        ss.accept().close();
        accepted.incrementAndGet();
      }
    } catch (IOException closed) {
      // test over
    }
  }
}
