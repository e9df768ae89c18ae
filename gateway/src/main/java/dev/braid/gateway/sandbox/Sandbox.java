package dev.braid.gateway.sandbox;

import dev.braid.gateway.sandbox.internal.Execution;
import dev.braid.gateway.sandbox.internal.Launcher;
import dev.braid.gateway.sandbox.internal.SandboxProcess;
import dev.braid.gateway.sandbox.internal.WarmPool;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Scope;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs untrusted Python and JavaScript scripts, each in a fresh single-use bubblewrap sandbox
 * (DESIGN §6).
 *
 * <p>Each language keeps a warm pool of {@link SandboxConfig#poolSize()} idle sandboxes started
 * with {@link SandboxConfig#defaults()}; a run with exactly those limits takes one, any other run
 * starts a cold sandbox with its own limits. The pool refills in the background when the run that
 * took a sandbox is over (at once if a burst drained it), so that on a small machine starting the
 * next sandbox does not compete with the run. A sandbox never runs a second script.
 *
 * <p>Thread-safe. {@link #execute} never blocks on the script: the future completes on a sandbox
 * I/O thread once the sandbox is gone. Cancelling the future kills the sandbox (the future is then
 * cancelled); cancelling the {@link Scope} passed in kills it and completes the future with {@link
 * Verdict#KILLED} and the scope's reason. The scope's deadline, if earlier than the wall timeout,
 * is the run's wall-clock deadline. {@link #close()} kills idle and running sandboxes.
 */
public final class Sandbox implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Sandbox.class);

  private final SandboxConfig config;
  private final Launcher launcher;
  private final Map<Script.Lang, WarmPool> pools = new EnumMap<>(Script.Lang.class);
  private final Set<CompletableFuture<ExecResult>> running = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private Sandbox(SandboxConfig config, Launcher launcher) {
    this.config = config;
    this.launcher = launcher;
    if (config.poolSize() > 0) {
      for (Script.Lang lang : Script.Lang.values()) {
        if (launcher.problem(lang) == null) {
          pools.put(lang, new WarmPool(launcher, lang, config.defaults(), config.poolSize()));
        }
      }
    }
  }

  /**
   * Detects bwrap, the interpreters and the usable cgroup controllers, and starts the warm pools.
   *
   * @throws SandboxUnavailableException when bwrap is missing (the message names the package to
   *     install) and {@link SandboxConfig#unsafeNoSandbox()} is off
   */
  public static Sandbox create(SandboxConfig config) {
    Objects.requireNonNull(config, "config");
    Launcher l = Launcher.start(config);
    if (l.unsafe()) {
      log.warn("UNSAFE: scripts run WITHOUT a sandbox (--unsafe-no-sandbox); development only");
    }
    return new Sandbox(config, l);
  }

  /** Runs {@code script} with the default limits and no output listener. */
  public CompletableFuture<ExecResult> execute(Script script) {
    return execute(script, config.defaults(), OutputListener.NONE, null);
  }

  /** Runs {@code script}; see the class comment for threads, cancellation and the pool. */
  public CompletableFuture<ExecResult> execute(
      Script script, Limits limits, OutputListener listener) {
    return execute(script, limits, listener, null);
  }

  /** As {@link #execute(Script, Limits, OutputListener)}, under {@code scope} (may be null). */
  public CompletableFuture<ExecResult> execute(
      Script script, Limits limits, OutputListener listener, Scope scope) {
    Objects.requireNonNull(script, "script");
    Objects.requireNonNull(limits, "limits");
    OutputListener out = listener == null ? OutputListener.NONE : listener;
    if (closed) {
      return CompletableFuture.completedFuture(internal(script, "the sandbox is closed"));
    }
    String problem = launcher.problem(script.lang());
    if (problem != null) {
      return CompletableFuture.completedFuture(internal(script, problem));
    }
    if (scope != null && scope.isCancelled()) {
      return CompletableFuture.completedFuture(
          new ExecResult(
              Verdict.KILLED,
              null,
              null,
              null,
              0,
              0,
              0,
              "",
              "",
              Failure.cancelled(scope.reason(), "cancelled before start"),
              "not started"));
    }
    if (launcher.unsafe()) {
      log.warn("UNSAFE: running a {} script without a sandbox", script.lang().word());
    }
    WarmPool pool = pools.get(script.lang());
    SandboxProcess sp = pool != null && pool.limits().equals(limits) ? pool.take() : null;
    String how = launcher.describe(limits) + "; " + (sp != null ? "warm" : "cold") + " sandbox";
    try {
      if (sp == null) {
        sp = launcher.spawn(script.lang(), limits);
      }
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.completedFuture(
          internal(script, "cannot start a sandbox: " + e.getMessage()));
    }
    CompletableFuture<ExecResult> f =
        Execution.start(launcher, sp, script, limits, out, scope, how);
    running.add(f);
    f.whenComplete(
        (r, t) -> {
          running.remove(f);
          if (pool != null) {
            pool.refill();
          }
        });
    return f;
  }

  /** How scripts are confined here with the default limits (for logs and {@code --json}). */
  public String describe() {
    return launcher.describe(config.defaults());
  }

  /** True when running without bwrap ({@link SandboxConfig#unsafeNoSandbox()}). */
  public boolean isUnsafe() {
    return launcher.unsafe();
  }

  /** Idle warm sandboxes of {@code lang} right now. */
  public int idle(Script.Lang lang) {
    WarmPool p = pools.get(lang);
    return p == null ? 0 : p.idle();
  }

  /** Refuses new runs, kills idle and running sandboxes (running futures are cancelled). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    pools.values().forEach(WarmPool::close);
    running.forEach(f -> f.cancel(true));
    launcher.close();
  }

  private static ExecResult internal(Script script, String message) {
    return new ExecResult(
        Verdict.INTERNAL,
        null,
        null,
        null,
        0,
        0,
        0,
        "",
        "",
        Failure.of(FailureCode.INTERNAL, "SandboxUnavailable", message),
        message);
  }
}
