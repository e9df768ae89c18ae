package dev.braid.internal.javaworker;

import dev.braid.api.CallContext;
import dev.braid.api.CallOptions;
import dev.braid.api.RemoteCall;
import dev.braid.model.CancelReason;
import dev.braid.model.Deadline;
import dev.braid.model.Scope;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/** The callee-side context of one in-process Java call. */
public final class JavaCallContext implements CallContext {
  private static final ThreadLocal<JavaCallContext> CURRENT = new ThreadLocal<>();

  private final long callId;
  private final String function;
  private final int attempt;
  private final String idempotencyKey;
  private final Scope scope;
  private final NestedCaller nested;
  private final Consumer<Object> heartbeats;
  private final Map<String, String> secrets;

  JavaCallContext(
      long callId,
      String function,
      int attempt,
      String idempotencyKey,
      Scope scope,
      NestedCaller nested,
      Consumer<Object> heartbeats,
      Map<String, String> secrets) {
    this.secrets = Map.copyOf(secrets);
    this.callId = callId;
    this.function = function;
    this.attempt = attempt;
    this.idempotencyKey = idempotencyKey;
    this.scope = scope;
    this.nested = nested;
    this.heartbeats = heartbeats;
  }

  public static CallContext current() {
    return CURRENT.get();
  }

  /** Runs {@code body} with this context as the thread's current one. */
  <T> T runWith(Callable<T> body) throws Exception {
    JavaCallContext before = CURRENT.get();
    CURRENT.set(this);
    try {
      return body.call();
    } finally {
      CURRENT.set(before);
    }
  }

  @Override
  public long callId() {
    return callId;
  }

  @Override
  public String function() {
    return function;
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public Optional<String> idempotencyKey() {
    return Optional.ofNullable(idempotencyKey);
  }

  @Override
  public String secret(String name) {
    String v = secrets.get(name);
    if (v == null) {
      throw new NoSuchElementException(
          "secret '"
              + name
              + "' was not given to this call: a workflow gives the secrets it declares under"
              + " secrets: (given here: "
              + new TreeSet<>(secrets.keySet())
              + ")");
    }
    return v;
  }

  @Override
  public Deadline deadline() {
    return scope.deadline();
  }

  @Override
  public boolean isCancelled() {
    return scope.isCancelled();
  }

  @Override
  public CancelReason cancelReason() {
    return scope.reason();
  }

  @Override
  public Runnable onCancel(Consumer<CancelReason> listener) {
    return scope.onCancel(listener);
  }

  @Override
  public void heartbeat(Object details) {
    heartbeats.accept(details);
  }

  @Override
  public Scope scope() {
    return scope;
  }

  @Override
  public RemoteCall call(String reference, Object... args) {
    return call(reference, Arrays.asList(args), Map.of(), CallOptions.DEFAULT);
  }

  @Override
  public RemoteCall call(
      String reference, List<?> args, Map<String, ?> kwargs, CallOptions options) {
    return nested.call(reference, args, kwargs, options.toBuilder().parent(scope).build());
  }
}
