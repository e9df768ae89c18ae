package dev.braid.gateway.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.api.Braid;
import dev.braid.api.LogMasks;
import dev.braid.gateway.engine.internal.RedactingJournal;
import dev.braid.gateway.engine.internal.RunStarter;
import dev.braid.gateway.sandbox.Sandbox;
import dev.braid.gateway.sandbox.SandboxConfig;
import dev.braid.gateway.secrets.Redactor;
import dev.braid.gateway.secrets.SecretException;
import dev.braid.gateway.secrets.SecretSources;
import dev.braid.gateway.workflow.Workflow;
import dev.braid.gateway.workflow.WorkflowChecker;
import dev.braid.internal.policy.CircuitBreakers;
import dev.braid.model.CancelReason;
import dev.braid.model.Clock;
import dev.braid.model.Failure;
import dev.braid.model.FailureCode;
import dev.braid.model.Scope;
import java.time.InstantSource;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Runs workflows on a {@link Braid}'s workers, every construct under the async model of DESIGN §3:
 * each run, step and call is a scope that owns its deadline (one timer on the clock); losers and
 * the siblings of failures are cancelled and awaited.
 *
 * <p>Thread-safe: any number of runs may go at once. Each run does its bookkeeping on a thread of
 * its own and never blocks it. Circuit breakers are shared by every run of one engine. The workflow
 * must have passed {@link WorkflowChecker} (the engine trusts its references and graph).
 */
public final class WorkflowEngine implements AutoCloseable {
  private final Braid braid;
  private final Clock clock;
  private final Random random;
  private final CircuitBreakers breakers;
  private volatile InstantSource wall = InstantSource.system();
  private volatile SecretSources secrets = SecretSources.system(null);
  private final Object sandboxLock = new Object();
  private Supplier<Sandbox> sandboxFactory = () -> Sandbox.create(SandboxConfig.defaultConfig());
  // guarded by sandboxLock; created on the first script step, closed with the engine
  private Sandbox sandbox;

  public WorkflowEngine(Braid braid) {
    this(braid, null, new Random());
  }

  /**
   * @param clock the clock for deadlines and retry waits, or null for {@code braid}'s clock (one
   *     clock for the run's deadlines and its calls'; a different one must read the same time)
   * @param random the source of retry jitter
   */
  public WorkflowEngine(Braid braid, Clock clock, Random random) {
    this.braid = braid;
    this.clock = clock != null ? clock : braid.clock();
    this.random = random;
    this.breakers = new CircuitBreakers(this.clock::nanoTime);
  }

  /**
   * Where {@code script} steps run: {@code factory} is called once, on the first script step (so a
   * workflow without scripts never starts a sandbox), and the sandbox is closed with the engine.
   * Default: {@link Sandbox#create} with the default configuration.
   */
  public WorkflowEngine sandbox(Supplier<Sandbox> factory) {
    synchronized (sandboxLock) {
      this.sandboxFactory = factory;
    }
    return this;
  }

  /**
   * Wall time, for what a run keeps across a restart (its absolute deadline, wake-up instants);
   * default: the system's. Tests give a fixed or stepped source.
   */
  public WorkflowEngine wallClock(InstantSource wall) {
    this.wall = wall;
    return this;
  }

  /**
   * Where the values of a workflow's {@code secrets:} are read from, at the start of each run (and
   * of each resume); default: the process's environment, no secrets folder.
   */
  public WorkflowEngine secrets(SecretSources sources) {
    this.secrets = sources;
    return this;
  }

  private Sandbox sandbox() {
    synchronized (sandboxLock) {
      if (sandbox == null) {
        sandbox = sandboxFactory.get();
      }
      return sandbox;
    }
  }

  /**
   * Starts a run of {@code wf} with {@code input} (already checked against its declaration). Events
   * go to {@code listener} on the run's thread.
   */
  public WorkflowRun start(Workflow wf, JsonNode input, RunListener listener) {
    return start(wf, input, listener, RunJournal.memory(UUID.randomUUID().toString()));
  }

  /**
   * Starts, or resumes, a run that {@code journal} keeps: steps it recorded are fed back, not run
   * again (docs/durability.md). For a new run the journal is empty.
   */
  public WorkflowRun start(Workflow wf, JsonNode input, RunListener listener, RunJournal journal) {
    Map<String, Set<String>> deps = WorkflowChecker.dependencies(wf);
    // the run's timeout becomes an absolute deadline kept in the journal, set on the run thread
    Scope root = Scope.root();
    Map<String, String> values;
    try {
      values = secrets.resolve(wf);
    } catch (SecretException e) {
      // checked before the run by braid check/run and the server; a secret removed since then
      // fails the run before any step, as a failure the journal records
      StepFailedException f =
          new StepFailedException(
              Failure.of(FailureCode.INVALID_ARGUMENT, "SecretMissing", e.getMessage()),
              null,
              SecretSources.firstDeclared(wf).orElse(null));
      CompletableFuture<JsonNode> failed =
          journal
              .finished(StepOutcome.failed(f.failure()), false)
              .handle(
                  (ok, err) -> {
                    throw f;
                  });
      return new WorkflowRun(root, failed, journal);
    }
    // one redactor per run, applied where values leave the engine: events, journal, result
    Redactor redactor = Redactor.of(values);
    RunListener shown = redactor.isEmpty() ? listener : e -> listener.onEvent(redactor.redact(e));
    RunJournal kept = redactor.isEmpty() ? journal : new RedactingJournal(journal, redactor);
    // the workers' log lines are masked from before the first call until the run is over
    AutoCloseable logMask = LogMasks.register(values.values());
    CompletableFuture<JsonNode> result =
        RunStarter.start(
            braid,
            wf,
            deps,
            input,
            root,
            wf.timeout().map(t -> t.value()).orElse(null),
            clock,
            shown,
            breakers,
            random,
            this::sandbox,
            kept,
            wall,
            values);
    if (!redactor.isEmpty()) {
      CompletableFuture<JsonNode> raw = result;
      result =
          raw.handle(
              (v, e) -> {
                closeQuietly(logMask);
                if (e == null) {
                  return redactor.redact(v);
                }
                Throwable c =
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                throw c instanceof StepFailedException sf
                    ? redactor.redact(sf)
                    : e instanceof CompletionException ce ? ce : new CompletionException(c);
              });
    }
    return new WorkflowRun(root, result, journal);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      throw new IllegalStateException("LogMasks handles do not fail to close", e);
    }
  }

  /** Closes the sandbox, if one was started. The clock is the Braid's, closed with it. */
  @Override
  public void close() {
    synchronized (sandboxLock) {
      if (sandbox != null) {
        sandbox.close();
      }
    }
  }

  /** A started run. */
  public static final class WorkflowRun {
    private final Scope root;
    private final CompletableFuture<JsonNode> result;
    private final RunJournal journal;

    WorkflowRun(Scope root, CompletableFuture<JsonNode> result, RunJournal journal) {
      this.root = root;
      this.result = result;
      this.journal = journal;
    }

    /** The run's id, its journal's. */
    public String runId() {
      return journal.runId();
    }

    /**
     * Delivers signal {@code name} with {@code payload} to this run, kept in memory: for a run with
     * a {@link MemoryJournal} (what {@link WorkflowEngine#start(Workflow, JsonNode, RunListener)}
     * gives). A run kept in a store is signalled through the store ({@code RunStore.signal}), which
     * journals the signal first. Thread-safe.
     *
     * @throws IllegalStateException for a run kept in a store, or past the memory journal's bound
     */
    public void signal(String name, JsonNode payload) {
      if (!(journal instanceof MemoryJournal m)) {
        throw new IllegalStateException(
            "run " + journal.runId() + " is kept in a store: signal it through the store");
      }
      m.signal(name, payload);
    }

    /**
     * The run's result (the workflow's {@code output}); fails with a {@link StepFailedException}.
     * Completes only after every step has settled and every {@code finally} has run.
     */
    public CompletableFuture<JsonNode> result() {
      return result;
    }

    /**
     * Cancels the whole run with reason {@code cancelled}: every running call is cancelled and its
     * worker observes it; {@code catch} and {@code finally} blocks still run, within their own
     * timeouts.
     */
    public void cancel() {
      cancel(CancelReason.CANCELLED);
    }

    /**
     * Cancels the whole run with {@code reason} ({@code shutdown} when a server stops, say): the
     * running functions observe that reason. Only the first cancel has an effect. A cancel is final
     * (journaled as such), except {@code shutdown}: the process is going away, not the run, which
     * stays resumable from its journal.
     */
    public void cancel(CancelReason reason) {
      root.cancel(reason);
    }
  }
}
