package dev.braid.gateway.sandbox;

import static dev.braid.gateway.sandbox.Sandboxes.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Memory accounting where a cgroup limits the run: threads are not charged for the stacks and
 * malloc arenas they only reserve, and a run that reaches its limit is MEMORY_LIMIT however the
 * interpreter reports the failed allocation.
 */
@Timeout(90)
class SandboxMemoryTest {
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

  /** Only with a memory cgroup (the CI machines have one, as root); rlimits cap address space. */
  @BeforeEach
  void memoryCgroup() {
    ExecResult probe = Sandboxes.py(sandbox, "def main(x):\n    return 1");
    assumeTrue(probe.details().contains(": cgroup"), "no memory cgroup here: " + probe.details());
  }

  @Test
  void thirtyTwoPythonThreadsRunAtTheDefaultLimits() {
    // every thread waits for all the others: 32 threads exist at the same time
    String code =
        "import threading\n"
            + "from concurrent.futures import ThreadPoolExecutor\n"
            + "def main(n):\n"
            + "    barrier = threading.Barrier(n, timeout=20)\n"
            + "    def work(i):\n"
            + "        barrier.wait()\n"
            + "        return i\n"
            + "    with ThreadPoolExecutor(n) as ex:\n"
            + "        return sum(ex.map(work, range(n)))\n";
    ExecResult r =
        run(sandbox, Script.python(code).withInput(Sandboxes.json("32")), Limits.DEFAULTS);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.result().asInt()).isEqualTo(31 * 32 / 2);
  }

  @Test
  void eightNodeWorkerThreadsRunAtTheDefaultLimits() {
    // every worker reports up before any is told to answer: 8 workers exist at the same time
    String code =
        "import { Worker } from 'node:worker_threads';\n"
            + "const SRC = `const { parentPort } = require('node:worker_threads');\n"
            + "parentPort.postMessage('up');\n"
            + "parentPort.once('message', (n) => parentPort.postMessage(n * 2));`;\n"
            + "const next = (w) => new Promise((res, rej) => {\n"
            + "  w.once('message', res);\n"
            + "  w.once('error', rej);\n"
            + "});\n"
            + "export async function main(n) {\n"
            + "  const workers = [];\n"
            + "  for (let i = 0; i < n; i++) workers.push(new Worker(SRC, { eval: true }));\n"
            + "  await Promise.all(workers.map(next));\n"
            + "  const replies = workers.map(next);\n"
            + "  workers.forEach((w, i) => w.postMessage(i));\n"
            + "  const out = await Promise.all(replies);\n"
            + "  await Promise.all(workers.map((w) => w.terminate()));\n"
            + "  return out;\n"
            + "}\n";
    ExecResult r = run(sandbox, Script.js(code).withInput(Sandboxes.json("8")), Limits.DEFAULTS);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.OK);
    assertThat(r.result()).isEqualTo(Sandboxes.json("[0,2,4,6,8,10,12,14]"));
  }

  @Test
  void runawayRecursionThatExhaustsMemoryIsMemoryLimit() {
    // Python 3.11+ keeps Python frames off the C stack: with the recursion limit lifted, the
    // frames grow until the memory limit (before: RUNTIME_ERROR SystemError at 250 MB)
    String code =
        "import sys\n"
            + "sys.setrecursionlimit(10**9)\n"
            + "def f(n):\n"
            + "    return f(n + 1) + 1\n"
            + "def main(x):\n"
            + "    return f(0)\n";
    ExecResult r = run(sandbox, Script.python(code), Limits.DEFAULTS);
    assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.MEMORY_LIMIT);
    assertThat(r.error().code().name()).isEqualTo("RESOURCE_EXHAUSTED");
  }
}
