package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.Braid;
import dev.braid.gateway.engine.EngineClock;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunListener;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.internal.policy.CircuitBreakers;
import dev.braid.model.CancelReason;
import dev.braid.model.Deadline;
import dev.braid.model.Failure;
import dev.braid.model.Scope;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every step of one run shares: the workers, the run thread, the clock, the event listener.
 *
 * <p>All of the engine's bookkeeping for a run happens on {@link #loop}, one thread: completions of
 * calls and timers hop onto it, so the state of blocks and joins needs no locks, and expressions
 * read results that nothing writes concurrently.
 */
final class Run {
  private static final Logger log = LoggerFactory.getLogger(Run.class);

  final Braid braid;
  final Workflow workflow;
  final Map<String, Set<String>> dependencies;
  final Executor loop;
  final ScheduledExecutorService timer;
  final EngineClock clock;
  final RunListener listener;
  final CircuitBreakers breakers;
  final Random random;
  final Supplier<Sandbox> sandbox;
  private final long startNanos;

  Run(
      Braid braid,
      Workflow workflow,
      Map<String, Set<String>> dependencies,
      Executor loop,
      ScheduledExecutorService timer,
      EngineClock clock,
      RunListener listener,
      CircuitBreakers breakers,
      Random random,
      Supplier<Sandbox> sandbox) {
    this.braid = braid;
    this.workflow = workflow;
    this.dependencies = dependencies;
    this.loop = loop;
    this.timer = timer;
    this.clock = clock;
    this.listener = listener;
    this.breakers = breakers;
    this.random = random;
    this.sandbox = sandbox;
    this.startNanos = clock.nanoTime();
  }

  Deadline deadlineAfter(Duration timeout) {
    return Deadline.after(timeout, clock);
  }

  /**
   * Cancels {@code scope} with {@code deadline_exceeded} when {@code deadline} passes. The
   * gateway's own timer enforces every deadline, whether the work inside cooperates or not. Returns
   * what stops the timer.
   */
  Runnable enforce(Scope scope, Deadline deadline) {
    if (deadline == null) {
      return () -> {};
    }
    ScheduledFuture<?> f =
        timer.schedule(
            () -> scope.cancel(CancelReason.DEADLINE_EXCEEDED),
            Math.max(0, deadline.remainingNanos()),
            TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  /**
   * Enforces {@code scope}'s deadline at once if it has passed: cancels the scope that set it with
   * {@code deadline_exceeded}, as that scope's timer is about to. A call's own timer and the worker
   * enforce the same deadline, and may fail the work first; whichever fires first, the timeout must
   * be reported — and the siblings cancelled — as the timeout of the scope it belongs to.
   */
  void enforceIfExpired(Scope scope) {
    Deadline d = scope.deadline();
    if (d == null || !d.isExpired()) {
      return;
    }
    Scope owner = scope;
    while (owner.parent() != null && owner.parent().deadline() == d) {
      owner = owner.parent();
    }
    owner.cancel(CancelReason.DEADLINE_EXCEEDED);
  }

  void emit(RunEvent.Type type, String step, String kind) {
    emit(type, step, kind, null, null, 0, null, null, null, null);
  }

  void emit(
      RunEvent.Type type,
      String step,
      String kind,
      String function,
      String language,
      int attempt,
      RunEvent.Status status,
      Failure failure,
      Duration wait,
      JsonNode value) {
    RunEvent e =
        new RunEvent(
            type,
            clock.nanoTime() - startNanos,
            step,
            kind,
            function,
            language,
            attempt,
            status,
            failure,
            wait,
            value);
    try {
      listener.onEvent(e);
    } catch (RuntimeException ex) {
      // The listener runs inside the run's bookkeeping: an exception escaping here would stop a
      // step half-way and its future would never complete, hanging the run. A broken progress
      // view must not change the run's outcome.
      log.warn("run listener failed on {} of step {}", type, step, ex);
    }
  }
}
