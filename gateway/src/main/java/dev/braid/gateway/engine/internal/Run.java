package dev.braid.gateway.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.Braid;
import dev.braid.gateway.engine.RunEvent;
import dev.braid.gateway.engine.RunJournal;
import dev.braid.gateway.engine.RunListener;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.internal.policy.CircuitBreakers;
import dev.braid.model.Clock;
import dev.braid.model.Deadline;
import dev.braid.model.Failure;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executor;
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
  final Clock clock;
  final RunListener listener;
  final CircuitBreakers breakers;
  final Random random;
  final Supplier<Sandbox> sandbox;

  /** What the run remembers across a crash (docs/durability.md). */
  final RunJournal journal;

  /** Wall time, for what must hold across a restart: absolute deadlines and wake-ups. */
  final InstantSource wall;

  private final long startNanos;

  Run(
      Braid braid,
      Workflow workflow,
      Map<String, Set<String>> dependencies,
      Executor loop,
      Clock clock,
      RunListener listener,
      CircuitBreakers breakers,
      Random random,
      Supplier<Sandbox> sandbox,
      RunJournal journal,
      InstantSource wall) {
    this.braid = braid;
    this.workflow = workflow;
    this.dependencies = dependencies;
    this.loop = loop;
    this.clock = clock;
    this.listener = listener;
    this.breakers = breakers;
    this.random = random;
    this.sandbox = sandbox;
    this.journal = journal;
    this.wall = wall;
    this.startNanos = clock.nanoTime();
  }

  Deadline deadlineAfter(Duration timeout) {
    return Deadline.after(timeout, clock);
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
