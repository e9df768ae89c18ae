package dev.braid.gateway.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.braid.gateway.engine.RunJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where runs are kept (docs/durability.md): SQLite by default, PostgreSQL for deployments, one
 * schema. Only run-level state goes here — definitions, runs, settled steps, events, signals —
 * never a call: calls stay on the workers' streams.
 *
 * <p>Thread-safe. Writes of one run go through its {@link RunJournal}, batched with the other runs'
 * writes (group commit) and fenced by the run's owner and epoch.
 */
public interface RunStore extends AutoCloseable {
  /** This gateway's owner id (what {@link StoredRun#owner} holds for the runs it runs). */
  String owner();

  /**
   * Saves {@code definition} (content-addressed: the same text is stored once) and a new {@link
   * RunStatus#RUNNING} run of it owned by this gateway, and returns the journal to run it with.
   *
   * @param deadline the run's absolute deadline, or null
   */
  Claimed create(String workflow, String definition, JsonNode input, Instant deadline);

  /**
   * As {@link #create}, for the run of {@code workflow}'s schedule at {@code slot}, with the id
   * {@code runId} derived from both: in the same transaction the workflow's last fired slot moves
   * to {@code slot}. Empty, and nothing written, when that slot (or a later one) was fired already
   * — by this server before a restart, or by another — so a slot never fires twice.
   */
  Optional<Claimed> createScheduled(
      String runId,
      String workflow,
      String definition,
      JsonNode input,
      Instant deadline,
      Instant slot);

  /**
   * Records {@code slot} of {@code workflow}'s schedule as fired without a run (overlap {@code
   * skip}); false when it was recorded already.
   */
  boolean skipSlot(String workflow, Instant slot);

  /** The last slot of {@code workflow}'s schedule that was fired (or skipped), if any. */
  Optional<Instant> lastSlot(String workflow);

  /**
   * Takes over an unfinished run for this gateway: its epoch goes up by one, so writes of any
   * earlier owner fail from now on. The journal holds its recorded steps and attempts.
   *
   * @throws StoreException when the run does not exist or is finished
   */
  Claimed claim(String runId);

  /** A run with its definition text and input, ready to be replayed. */
  record Claimed(StoredRun run, String definition, RunJournal journal) {}

  Optional<StoredRun> get(String runId);

  /** The newest runs first; {@code status} null for all. */
  List<StoredRun> list(RunStatus status, int limit);

  /** The step instances of a run, in the order they were first recorded. */
  List<StoredStep> steps(String runId);

  /** Up to {@code max} events of a run with {@code seq >= fromSeq}. */
  List<StoredEvent> events(String runId, long fromSeq, int max);

  /**
   * Journals a signal for a run, then hands it to the run's live journal if this store has one open
   * (on a shared store, the gateway running it is woken to deliver it). Delivered once: a {@code
   * signal} step consumes it with its outcome.
   *
   * @throws StoreException when the run does not exist or is finished
   */
  void signal(String runId, String name, JsonNode payload);

  /**
   * Joins the gateways sharing this store: this gateway becomes {@code gatewayId} and holds a lease
   * of {@code lease}, renewed by the caller (docs/durability.md, "Several gateways"). Call once,
   * before any run is created or claimed.
   *
   * @throws StoreException on a store that cannot be shared (SQLite, memory): several gateways need
   *     PostgreSQL
   */
  default GatewayLease join(String gatewayId, Duration lease) {
    throw new StoreException(
        "this store cannot be shared by several gateways: several gateways need PostgreSQL");
  }

  /** The lease {@link #join} gave, if this store is shared by several gateways. */
  default Optional<GatewayLease> lease() {
    return Optional.empty();
  }

  /**
   * Marks a cancel for a run this gateway does not run now: honoured when it is resumed, or, on a
   * store shared by several gateways, by the gateway that runs it (woken through the store).
   */
  void requestCancel(String runId);

  /**
   * Deletes finished runs older than {@code maxAge} and, beyond the newest {@code keep} finished
   * runs, the rest; returns how many went.
   */
  int prune(Duration maxAge, int keep);

  /**
   * Transactions this store has committed since it was opened: with {@link #writes} it shows how
   * well group commit batches (the bench's durable section reports both); 0 when not counted.
   */
  default long commits() {
    return 0;
  }

  /** Run writes (settled steps, attempts, instants, event batches, ends) committed since opened. */
  default long writes() {
    return 0;
  }

  /** Waits for pending writes to be durable, then releases the store (and its SQLite lock). */
  @Override
  void close();
}
