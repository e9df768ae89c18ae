package dev.braid.gateway.sandbox;

import static dev.braid.gateway.sandbox.Sandboxes.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The warm pool: single use, refilled, used only for the default limits, killed on close. */
@Timeout(90)
class WarmPoolTest {
  private static final String PROBE =
      "import os\n"
          + "def main(x):\n"
          + "    seen = os.path.exists('/tmp/left-behind')\n"
          + "    open('/tmp/left-behind', 'w').write('run')\n"
          + "    return {'seen': seen, 'pidns': os.readlink('/proc/self/ns/pid'),\n"
          + "            'mntns': os.readlink('/proc/self/ns/mnt'),\n"
          + "            'start': open('/proc/1/stat').read().split()[21]}\n";

  static void awaitIdle(Sandbox s, Script.Lang lang, int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (s.idle(lang) < n && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(s.idle(lang)).isEqualTo(n);
  }

  @Test
  void eachRunGetsAFreshSandboxFromThePool() throws Exception {
    try (Sandbox s = Sandboxes.create(2)) {
      awaitIdle(s, Script.Lang.PYTHON, 2);
      ExecResult first = run(s, Script.python(PROBE));
      ExecResult second = run(s, Script.python(PROBE));
      assertThat(first.verdict()).as(first.toString()).isEqualTo(Verdict.OK);
      assertThat(second.verdict()).as(second.toString()).isEqualTo(Verdict.OK);
      assertThat(first.details()).contains("warm sandbox");
      assertThat(second.details()).contains("warm sandbox");
      JsonNode a = first.result();
      JsonNode b = second.result();
      assertThat(b.get("seen").asBoolean()).as("the file of run 1 is gone").isFalse();
      assertThat(b.get("pidns")).isNotEqualTo(a.get("pidns"));
      assertThat(b.get("mntns")).isNotEqualTo(a.get("mntns"));
      awaitIdle(s, Script.Lang.PYTHON, 2); // refilled in the background
    }
  }

  @Test
  void otherLimitsGetAColdSandbox() {
    try (Sandbox s = Sandboxes.create(1)) {
      ExecResult r =
          run(s, Script.python(PROBE), Limits.DEFAULTS.withWallTimeout(Duration.ofSeconds(7)));
      assertThat(r.verdict()).isEqualTo(Verdict.OK);
      assertThat(r.details()).contains("cold sandbox");
    }
  }

  @Test
  void jsPoolWorksToo() throws Exception {
    try (Sandbox s = Sandboxes.create(1)) {
      awaitIdle(s, Script.Lang.JS, 1);
      ExecResult r =
          run(
              s,
              Script.js("export const main = async (x) => x + 1").withInput(Sandboxes.json("41")));
      assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
      assertThat(r.result().asInt()).isEqualTo(42);
      assertThat(r.details()).contains("warm sandbox");
    }
  }

  @Test
  void concurrentRunsAllSucceed() throws Exception {
    try (Sandbox s = Sandboxes.create(2)) {
      List<CompletableFuture<ExecResult>> fs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        fs.add(s.execute(Script.python(PROBE), Limits.DEFAULTS, OutputListener.NONE));
      }
      List<String> namespaces = new ArrayList<>();
      for (CompletableFuture<ExecResult> f : fs) {
        ExecResult r = f.get(60, TimeUnit.SECONDS);
        assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
        assertThat(r.result().get("seen").asBoolean()).isFalse();
        namespaces.add(r.result().get("pidns").asText());
      }
      assertThat(namespaces).doesNotHaveDuplicates();
    }
  }

  @Test
  void closeKillsTheIdleSandboxes() throws Exception {
    List<ProcessHandle> ours;
    try (Sandbox s = Sandboxes.create(2)) {
      awaitIdle(s, Script.Lang.PYTHON, 2);
      awaitIdle(s, Script.Lang.JS, 2);
      ours =
          ProcessHandle.current()
              .descendants()
              .filter(h -> h.info().commandLine().orElse("").contains("/run/braid/runner"))
              .toList();
      assertThat(ours).hasSizeGreaterThanOrEqualTo(4); // 2 python + 2 js runners
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ours.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(ours).noneMatch(ProcessHandle::isAlive);
  }
}
