package dev.braid.gateway.sandbox.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.braid.gateway.sandbox.ExecResult;
import dev.braid.gateway.sandbox.Limits;
import dev.braid.gateway.sandbox.OutputListener;
import dev.braid.gateway.sandbox.Script;
import dev.braid.model.CancelReason;
import dev.braid.model.Scope;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One script run on one {@link SandboxProcess}: hands the script over, enforces the wall-clock
 * deadline, the tree's CPU time (where cgroup accounting exists) and the output cap by killing the
 * whole sandbox, and turns the end into an {@link ExecResult}. The first kill reason wins.
 */
public final class Execution {
  private static final Logger log = LoggerFactory.getLogger(Execution.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Launcher launcher;
  private final SandboxProcess sp;
  private final Script script;
  private final Limits limits;
  private final String how;
  private final CompletableFuture<ExecResult> future = new CompletableFuture<>();
  private final AtomicReference<VerdictRules.Kill> kill = new AtomicReference<>();
  private final Map<Long, Long> sampledCpu = new ConcurrentHashMap<>();
  private volatile CancelReason cancelReason;
  private volatile boolean answered;
  private volatile long answerNanos;
  private final AtomicBoolean settled = new AtomicBoolean();
  private volatile long exitNanos;
  private long startNanos;
  private long cpuBase;
  private long wallLimitNanos;
  private ScheduledFuture<?> wallTimer;
  private ScheduledFuture<?> cpuPoll;
  private Runnable unregister = () -> {};

  private Execution(Launcher l, SandboxProcess sp, Script script, Limits limits, String how) {
    this.launcher = l;
    this.sp = sp;
    this.script = script;
    this.limits = limits;
    this.how = how;
  }

  /**
   * Runs {@code script} on {@code sp}. Cancelling the returned future, or cancelling {@code scope}
   * (may be null), kills the sandbox; a scope's cancel completes the future with KILLED.
   */
  public static CompletableFuture<ExecResult> start(
      Launcher l,
      SandboxProcess sp,
      Script script,
      Limits limits,
      OutputListener listener,
      Scope scope,
      String how) {
    Execution e = new Execution(l, sp, script, limits, how);
    e.begin(listener, scope);
    return e.future;
  }

  private void begin(OutputListener listener, Scope scope) {
    sp.stdout.listener(listener);
    sp.stderr.listener(listener);
    sp.budget.limit(limits.maxOutputBytes(), () -> killFor(VerdictRules.Kill.OUTPUT));
    sp.channel.limit(limits.maxOutputBytes(), () -> killFor(VerdictRules.Kill.OUTPUT));
    sp.channel.onRecord(this::answered);
    if (sp.group != null) {
      sp.group.resetPeak();
      cpuBase = Math.max(0, sp.group.cpuNanos());
    }
    wallLimitNanos = limits.wallTimeout().toNanos();
    if (scope != null && scope.deadline() != null) {
      wallLimitNanos = Math.min(wallLimitNanos, Math.max(0, scope.deadline().remainingNanos()));
    }
    startNanos = System.nanoTime();
    future.whenComplete(
        (r, t) -> {
          if (future.isCancelled()) {
            killFor(VerdictRules.Kill.CANCELLED);
          }
        });
    if (scope != null) {
      unregister =
          scope.onCancel(
              why -> {
                if (why == CancelReason.DEADLINE_EXCEEDED && scope.expiredBy() == scope) {
                  // the scope's own deadline timer: the same limit as the wall timer below, which
                  // it may beat by a hair; the verdict must not depend on which fired first
                  killFor(VerdictRules.Kill.WALL);
                  return;
                }
                cancelReason = why;
                killFor(VerdictRules.Kill.CANCELLED);
              });
    }
    wallTimer =
        launcher.timer.schedule(
            () -> killFor(VerdictRules.Kill.WALL), wallLimitNanos, TimeUnit.NANOSECONDS);
    long period = Math.max(10, Math.min(100, limits.cpuTime().toMillis() / 10));
    cpuPoll =
        launcher.timer.scheduleAtFixedRate(this::checkCpu, period, period, TimeUnit.MILLISECONDS);
    sp.process
        .onExit()
        .whenComplete(
            (p, t) -> {
              exitNanos = System.nanoTime();
              try {
                launcher.io.execute(this::exited);
              } catch (RuntimeException closed) {
                exited();
              }
            });
    launcher.io.execute(this::handOver);
  }

  private void handOver() {
    ObjectNode req = JSON.createObjectNode();
    req.put("code", script.code());
    req.put("filename", script.filename());
    req.set("input", script.input());
    try (OutputStream in = sp.process.getOutputStream()) {
      in.write(JSON.writeValueAsBytes(req));
    } catch (IOException e) {
      // the runner is gone: its exit tells why
    }
  }

  /**
   * Enforces the CPU limit on the whole tree (RLIMIT_CPU is per process): from the cgroup's
   * accounting, else by sampling the CPU time of every process the host sees in the tree (a process
   * that exits between samples is counted up to its last sample).
   */
  private void checkCpu() {
    long used;
    if (sp.group != null && sp.group.cpuacct != null) {
      used = sp.group.cpuNanos() - cpuBase;
    } else {
      try (Stream<ProcessHandle> tree = sp.process.descendants()) {
        tree.forEach(
            h ->
                h.info()
                    .totalCpuDuration()
                    .ifPresent(d -> sampledCpu.merge(h.pid(), d.toNanos(), Math::max)));
      }
      used = sampledCpu.values().stream().mapToLong(Long::longValue).sum();
    }
    if (used >= limits.cpuTime().toNanos()) {
      killFor(VerdictRules.Kill.CPU);
    }
  }

  private void killFor(VerdictRules.Kill why) {
    if (!answered && sp.isAlive() && kill.compareAndSet(null, why)) {
      sp.kill();
    }
  }

  /**
   * The runner's answer is complete (it flushed and closed its stdout and stderr first): the caller
   * gets its result now, and the sandbox is killed instead of waiting for the runner's exit to work
   * its way up through bwrap. Nothing the script started outlives its answer.
   */
  private void answered() {
    answerNanos = System.nanoTime();
    answered = true;
    if (kill.get() == null) {
      sp.end();
      // on the channel's reader: it has nothing left to do that matters to this run
      if (settled.compareAndSet(false, true)) {
        launcher.cleanupBegins(); // ended by exited(), once the sandbox is gone
        settle(null, answerNanos);
      }
    }
  }

  /**
   * bwrap is gone: once the rest of the tree is and the pipes are at their end, settles the run
   * unless its answer did already, then removes the remains.
   */
  private void exited() {
    try {
      sp.killRemains();
      awaitOutput();
      if (settled.compareAndSet(false, true)) {
        launcher.cleanupBegins(); // a settled run always has one begin, ended below
        settle(sp.process.exitValue(), exitNanos);
      } else {
        // settled by its answer on another thread, which may still be reading the cgroup's
        // counters: removing the groups now would report a peak of 0 (bounded wait)
        try {
          future.get(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Exception notYetOrCancelled) {
          // cancelled runs and stuck readers: clean up anyway
        }
      }
    } finally {
      sp.cleanup();
      launcher.cleanupEnds();
    }
  }

  private void settle(Integer exitValue, long endNanos) {
    try {
      future.complete(result(exitValue, endNanos));
    } catch (RuntimeException e) {
      log.error("sandbox result failed", e);
      future.completeExceptionally(e);
    }
  }

  /** Waits for both output pipes to reach their end; a pipe an escaped process holds is cut. */
  private void awaitOutput() {
    try {
      CompletableFuture.allOf(sp.stdout.done(), sp.stderr.done()).get(2, TimeUnit.SECONDS);
    } catch (Exception stuck) {
      sp.stdout.abort();
      sp.stderr.abort();
    }
  }

  /**
   * The run's result. {@code exitValue} is bwrap's (the tree is gone and the pipes are at their
   * end), or null when the run settles on its answer while the sandbox is still being killed: the
   * pipes reach their end then too, because the runner closed them before answering.
   */
  private ExecResult result(Integer exitValue, long endNanos) {
    if (wallTimer != null) {
      wallTimer.cancel(false);
    }
    if (cpuPoll != null) {
      cpuPoll.cancel(false);
    }
    unregister.run();
    // rounded up: a run always costs its caller something (a warm one answers within a millisecond)
    long wallMillis = (endNanos - startNanos + 999_999) / 1_000_000;
    String record;
    if (exitValue == null) {
      awaitOutput();
      record = sp.channel.record();
    } else {
      record = sp.channel.finish(1000);
    }
    long cpuMillis = -1;
    long peakKb = 0;
    long oom = 0;
    long hits = 0;
    if (sp.group != null) {
      long cpu = sp.group.cpuNanos();
      cpuMillis = cpu < 0 ? -1 : (cpu - cpuBase) / 1_000_000;
      peakKb = Math.max(0, sp.group.peakBytes() / 1024);
      oom = sp.group.oomKills();
      hits = sp.group.memoryLimitHits();
    }
    if (cpuMillis < 0 && !sampledCpu.isEmpty()) {
      cpuMillis = sampledCpu.values().stream().mapToLong(Long::longValue).sum() / 1_000_000;
    }
    String out = sp.stdout.text();
    String err = sp.stderr.text();
    VerdictRules.Decision d =
        VerdictRules.decide(
            new VerdictRules.Facts(
                script.lang(),
                kill.get(),
                cancelReason,
                wallLimitNanos / 1_000_000,
                exitValue,
                sp.channel.isReady(),
                answered,
                record,
                sp.channel.sawExtraLines(),
                out,
                err,
                Math.max(0, cpuMillis),
                limits.cpuTime().toMillis(),
                oom,
                hits));
    JsonNode usage = d.usage();
    if (sp.group == null || sp.group.cpuacct == null) {
      // no kernel accounting: the larger of the host's samples and the runner's own report
      cpuMillis = Math.max(cpuMillis, usage == null ? 0 : usage.path("cpu_ms").asLong(0));
    }
    if (sp.group == null || sp.group.memory == null) {
      peakKb = usage == null ? 0 : usage.path("rss_kb").asLong(0);
    }
    return new ExecResult(
        d.verdict(),
        d.result(),
        d.exitCode(),
        d.signal(),
        cpuMillis,
        wallMillis,
        peakKb,
        out,
        err,
        d.error(),
        how + "; ended: " + d.reason());
  }
}
