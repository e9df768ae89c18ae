package dev.braid.api;

import dev.braid.model.CancelReason;
import dev.braid.model.Deadline;
import dev.braid.model.Scope;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What an in-process Java function ({@code java:pkg.Class#method}) knows about the call it runs in.
 * Declare it as the method's last parameter to receive it, or use {@link CurrentCall#context()} on
 * the calling thread. Thread-safe.
 *
 * <p>Cancellation reaches Java code three ways: {@link #isCancelled()} polling, {@link #onCancel}
 * listeners, and an interrupt of the thread running the method (so blocking calls such as {@code
 * Thread.sleep} or {@code BlockingQueue.take} end with {@code InterruptedException}). A returned
 * {@code CompletableFuture} is cancelled too.
 */
public interface CallContext {
  long callId();

  /** The function reference, e.g. {@code examples.Recs#forUser}. */
  String function();

  /** Which try of a retried call this is, from 1. */
  int attempt();

  /**
   * The key that is the same for every attempt of one logical call ({@link
   * CallOptions#idempotencyKey()}; {@code runId/stepPath} for a workflow step), or empty when the
   * caller gave none. Steps are at-least-once: a function makes its side effect exactly-once by
   * remembering the keys it has acted on (docs/durability.md).
   */
  Optional<String> idempotencyKey();

  /**
   * The value of secret {@code name}, one the workflow declared under {@code secrets:} and the
   * gateway sent with this call (never through the environment). Keep it out of results, logs and
   * exceptions: the gateway shows a known secret's value as {@code ***} in what it prints, but a
   * transformed value (encoded, split) it cannot recognise.
   *
   * @throws java.util.NoSuchElementException if the call was not given that secret (the workflow
   *     did not declare it, or the call was not made by a workflow)
   */
  String secret(String name);

  /** The call's deadline on this side, or null when it has none. */
  Deadline deadline();

  /** Time left until the deadline, or null when there is none. */
  default Duration remaining() {
    Deadline d = deadline();
    return d == null ? null : d.remaining();
  }

  boolean isCancelled();

  /** Why the call was cancelled, or null while it is not. */
  CancelReason cancelReason();

  /** Runs {@code listener} once on cancel (at once if already cancelled); must not block. */
  Runnable onCancel(Consumer<CancelReason> listener);

  /** Records progress; never blocks. The gateway resets its heartbeat timeout on each one. */
  void heartbeat(Object details);

  /** The call's scope: pass it as {@link CallOptions#parent()} to make nested calls children. */
  Scope scope();

  /**
   * Calls another function (any language) as a child of this call: it inherits the remaining
   * deadline and is cancelled with this call.
   */
  RemoteCall call(String reference, Object... args);

  /** As {@link #call(String, Object...)} with keyword arguments and options. */
  RemoteCall call(String reference, List<?> args, Map<String, ?> kwargs, CallOptions options);
}
