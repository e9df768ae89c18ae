package dev.braid.api;

import dev.braid.model.Scope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * Per-call options (DESIGN §3.4 and §3.7). Immutable; build with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code timeout}: one attempt, from the moment it is sent to a worker until it settles;
 *   <li>{@code totalTimeout}: everything, from the call until it settles (queueing included);
 *   <li>{@code queueTimeout}: waiting for a worker slot;
 *   <li>{@code heartbeatTimeout}: a function that heartbeats must do so at least this often;
 *   <li>{@code grace}: how long a cancelled callee may take to clean up before it is abandoned;
 *   <li>{@code retry}: tries again after a failure ({@link RetryPolicy}); each attempt has its own
 *       {@code timeout}, {@code totalTimeout} bounds them all and the waits between;
 *   <li>{@code circuitBreaker}: fails fast while the function keeps failing ({@link
 *       CircuitBreakerPolicy});
 *   <li>{@code idempotencyKey}: a key the function can read from its context to make its side
 *       effects exactly-once; the same for every attempt (a workflow step sets {@code
 *       run_id/step_path}); null: none.
 *   <li>{@code secrets}: name -> value, sent with every attempt for the function to read from its
 *       context ({@link CallContext#secret}); never logged ({@link #toString()} shows the names);
 *       empty: none. Nested calls do not inherit them.
 * </ul>
 *
 * Null durations mean "no limit" (grace null = the Braid default); null retry means one attempt,
 * null circuitBreaker none. The parent scope, when set, makes the call a child: it inherits the
 * parent's deadline and is cancelled with it.
 */
public record CallOptions(
    Duration timeout,
    Duration totalTimeout,
    Duration queueTimeout,
    Duration heartbeatTimeout,
    Duration grace,
    CancellationMode cancellationMode,
    Scope parent,
    RetryPolicy retry,
    CircuitBreakerPolicy circuitBreaker,
    String idempotencyKey,
    Map<String, String> secrets) {

  public static final CallOptions DEFAULT = builder().build();

  public CallOptions {
    Objects.requireNonNull(cancellationMode, "cancellationMode");
    requirePositive("timeout", timeout);
    requirePositive("totalTimeout", totalTimeout);
    requirePositive("heartbeatTimeout", heartbeatTimeout);
    if (queueTimeout != null && queueTimeout.isNegative()) {
      throw new IllegalArgumentException("queueTimeout < 0: " + queueTimeout);
    }
    if (grace != null && grace.isNegative()) {
      throw new IllegalArgumentException("grace < 0: " + grace);
    }
    requireKey(idempotencyKey);
    secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
  }

  /**
   * Names only: a record's generated {@code toString} would print the secrets' values into any log
   * line or message that shows these options.
   */
  @Override
  public String toString() {
    return "CallOptions[timeout="
        + timeout
        + ", totalTimeout="
        + totalTimeout
        + ", queueTimeout="
        + queueTimeout
        + ", heartbeatTimeout="
        + heartbeatTimeout
        + ", grace="
        + grace
        + ", cancellationMode="
        + cancellationMode
        + ", retry="
        + retry
        + ", circuitBreaker="
        + circuitBreaker
        + ", idempotencyKey="
        + idempotencyKey
        + ", secrets="
        + new java.util.TreeSet<>(secrets.keySet())
        + "]";
  }

  /** The longest idempotency key, in chars: it travels on every attempt and into stores. */
  public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 256;

  /**
   * The idempotency key of the step at {@code stepPath} of run {@code runId}: {@code
   * runId/stepPath}, the same in every life of the run. A key that would be over {@value
   * #MAX_IDEMPOTENCY_KEY_LENGTH} chars or hold control characters (a {@code switch} case may be any
   * text) keeps a printable start and ends with {@code ~} and the SHA-256 of the whole, so it is
   * still unique and stable.
   */
  public static String idempotencyKey(String runId, String stepPath) {
    String key = runId + "/" + stepPath;
    boolean printable = key.chars().noneMatch(Character::isISOControl);
    if (printable && key.length() <= MAX_IDEMPOTENCY_KEY_LENGTH) {
      return key;
    }
    String hash;
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      hash = HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    StringBuilder start = new StringBuilder();
    key.chars().forEach(c -> start.append(Character.isISOControl(c) ? '?' : (char) c));
    int room = MAX_IDEMPOTENCY_KEY_LENGTH - hash.length() - 1;
    if (start.length() > room) {
      // never cut a surrogate pair in half: the key must stay valid UTF-16 for every worker
      start.setLength(Character.isHighSurrogate(start.charAt(room - 1)) ? room - 1 : room);
    }
    return start + "~" + hash;
  }

  // A key is logged, stored and compared by functions in every language: bounded and printable.
  private static void requireKey(String key) {
    if (key == null) {
      return;
    }
    if (key.isEmpty()) {
      throw new IllegalArgumentException("idempotencyKey is empty: give null for none");
    }
    if (key.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "idempotencyKey is "
              + key.length()
              + " chars, over the limit of "
              + MAX_IDEMPOTENCY_KEY_LENGTH
              + ": "
              + key.substring(0, 40)
              + "...");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "idempotencyKey has a control character (U+"
                + String.format("%04X", (int) c)
                + ") at index "
                + i);
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.timeout = timeout;
    b.totalTimeout = totalTimeout;
    b.queueTimeout = queueTimeout;
    b.heartbeatTimeout = heartbeatTimeout;
    b.grace = grace;
    b.cancellationMode = cancellationMode;
    b.parent = parent;
    b.retry = retry;
    b.circuitBreaker = circuitBreaker;
    b.idempotencyKey = idempotencyKey;
    b.secrets = secrets;
    return b;
  }

  private static void requirePositive(String name, Duration d) {
    if (d != null && (d.isNegative() || d.isZero())) {
      throw new IllegalArgumentException(name + " <= 0: " + d);
    }
  }

  /** Builder for {@link CallOptions}. Not thread-safe. */
  public static final class Builder {
    private Duration timeout;
    private Duration totalTimeout;
    private Duration queueTimeout;
    private Duration heartbeatTimeout;
    private Duration grace;
    private CancellationMode cancellationMode = CancellationMode.TRY;
    private Scope parent;
    private RetryPolicy retry;
    private CircuitBreakerPolicy circuitBreaker;
    private String idempotencyKey;
    private Map<String, String> secrets = Map.of();

    private Builder() {}

    public Builder timeout(Duration d) {
      this.timeout = d;
      return this;
    }

    public Builder totalTimeout(Duration d) {
      this.totalTimeout = d;
      return this;
    }

    public Builder queueTimeout(Duration d) {
      this.queueTimeout = d;
      return this;
    }

    public Builder heartbeatTimeout(Duration d) {
      this.heartbeatTimeout = d;
      return this;
    }

    public Builder grace(Duration d) {
      this.grace = d;
      return this;
    }

    public Builder cancellationMode(CancellationMode m) {
      this.cancellationMode = m;
      return this;
    }

    public Builder parent(Scope s) {
      this.parent = s;
      return this;
    }

    /** Tries again after a failure; null: one attempt. */
    public Builder retry(RetryPolicy policy) {
      this.retry = policy;
      return this;
    }

    /** The function's circuit breaker, shared by the calls of one {@link Braid}; null: none. */
    public Builder circuitBreaker(CircuitBreakerPolicy policy) {
      this.circuitBreaker = policy;
      return this;
    }

    /** The key every attempt's context reports as its idempotency key; null: none. */
    public Builder idempotencyKey(String key) {
      this.idempotencyKey = key;
      return this;
    }

    /** The secrets the function may read from its context, name -> value; empty: none. */
    public Builder secrets(Map<String, String> secrets) {
      this.secrets = secrets;
      return this;
    }

    public CallOptions build() {
      return new CallOptions(
          timeout,
          totalTimeout,
          queueTimeout,
          heartbeatTimeout,
          grace,
          cancellationMode,
          parent,
          retry,
          circuitBreaker,
          idempotencyKey,
          secrets);
    }
  }
}
