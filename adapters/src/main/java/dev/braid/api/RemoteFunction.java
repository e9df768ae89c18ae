package dev.braid.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.braid.internal.call.CallExecution;
import dev.braid.internal.call.CallRuntime;
import dev.braid.internal.json.JsonRule;
import dev.braid.internal.json.NotSerializableException;
import dev.braid.internal.policy.CircuitBreakers;
import dev.braid.internal.policy.RetriedCall;
import dev.braid.model.Failures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A function in a worker, ready to be called. Cheap to create; thread-safe; calls are independent
 * of each other.
 */
public final class RemoteFunction {
  private static final byte[] NO_KWARGS = new byte[0];
  // the breakers of functions made by internalOf (a Java worker process has no Braid to hold them)
  private static final CircuitBreakers PROCESS_BREAKERS = new CircuitBreakers(System::nanoTime);

  private final FunctionRef ref;
  private final CallRuntime runtime;
  private final CircuitBreakers breakers;

  RemoteFunction(FunctionRef ref, CallRuntime runtime, CircuitBreakers breakers) {
    this.ref = ref;
    this.runtime = runtime;
    this.breakers = breakers;
  }

  /**
   * Not API: a function over a given runtime, for Braid's own Java worker process, whose nested
   * calls travel to the gateway instead of through a {@link Braid}. Its circuit breakers are shared
   * by the whole process.
   */
  public static RemoteFunction internalOf(FunctionRef ref, CallRuntime runtime) {
    return new RemoteFunction(ref, runtime, PROCESS_BREAKERS);
  }

  public FunctionRef ref() {
    return ref;
  }

  /** Calls with positional arguments and default options. */
  public RemoteCall call(Object... args) {
    return call(Arrays.asList(args), Map.of(), CallOptions.DEFAULT);
  }

  public RemoteCall call(List<?> args, CallOptions options) {
    return call(args, Map.of(), options);
  }

  /**
   * Calls the function. Arguments are converted to JSON with Jackson; a value that cannot be
   * converted fails the returned call with {@code INVALID_ARGUMENT} (nothing is sent).
   */
  public RemoteCall call(List<?> args, Map<String, ?> kwargs, CallOptions options) {
    return callAttempt(args, kwargs, options, 1);
  }

  /**
   * Not API: attempt {@code attempt} of a call whose retries the caller drives (the workflow
   * engine, which reports each attempt as an event); the worker sees the attempt number.
   */
  public RemoteCall internalAttempt(
      List<?> args, Map<String, ?> kwargs, CallOptions options, int attempt) {
    return callAttempt(args, kwargs, options, attempt);
  }

  private RemoteCall callAttempt(
      List<?> args, Map<String, ?> kwargs, CallOptions options, int attempt) {
    RemoteCall call = new RemoteCall();
    byte[][] encoded = encode(args, kwargs, call.outcome());
    if (encoded == null) {
      call.bind(execution(new byte[0], NO_KWARGS, options, call));
      return call;
    }
    return start(call, encoded[0], encoded[1], options, attempt);
  }

  /** Calls with already-encoded JSON (a worker's nested call); no re-encoding. */
  RemoteCall callRaw(byte[] args, byte[] kwargs, CallOptions options) {
    return start(new RemoteCall(), args, kwargs, options, 1);
  }

  private RemoteCall start(
      RemoteCall call, byte[] args, byte[] kwargs, CallOptions options, int attempt) {
    if (options.retry() != null || options.circuitBreaker() != null) {
      RetriedCall retried =
          new RetriedCall(runtime, ref.local(), args, kwargs, options, breakers, call.outcome());
      call.bind(retried);
      retried.start();
      return call;
    }
    CallExecution ex = execution(args, kwargs, options, call).attempt(attempt);
    call.bind(ex);
    ex.start();
    return call;
  }

  private CallExecution execution(
      byte[] args, byte[] kwargs, CallOptions options, RemoteCall call) {
    return new CallExecution(runtime, ref.local(), args, kwargs, options, null, call.outcome());
  }

  /** Calls with a JSON array of positional arguments, as the CLI does. */
  public RemoteCall callJson(ArrayNode args, CallOptions options) {
    return call(toList(args), Map.of(), options);
  }

  /** Streams the items of an (async) generator; see {@link RemoteStream}. */
  public RemoteStream stream(List<?> args, CallOptions options) {
    return stream(args, Map.of(), options);
  }

  /** Streams the items of an (async) generator called with keyword arguments too. */
  public RemoteStream stream(List<?> args, Map<String, ?> kwargs, CallOptions options) {
    return internalStreamAttempt(args, kwargs, options, 1);
  }

  /**
   * Not API: attempt {@code attempt} of a stream (the workflow engine resumes a generator that was
   * running when its gateway died as the next attempt); the worker sees the attempt number.
   */
  public RemoteStream internalStreamAttempt(
      List<?> args, Map<String, ?> kwargs, CallOptions options, int attempt) {
    return new RemoteStream(
        stream -> {
          byte[][] encoded = encode(args, kwargs, stream.done());
          return new CallExecution(
                  runtime,
                  ref.local(),
                  encoded == null ? new byte[0] : encoded[0],
                  encoded == null ? NO_KWARGS : encoded[1],
                  options,
                  stream::emit,
                  stream.done())
              .attempt(attempt);
        });
  }

  private byte[][] encode(List<?> args, Map<String, ?> kwargs, CompletableFuture<JsonNode> fail) {
    try {
      byte[] a = JsonRule.encode(runtime.json(), args);
      byte[] k = kwargs.isEmpty() ? NO_KWARGS : JsonRule.encode(runtime.json(), kwargs);
      return new byte[][] {a, k};
    } catch (NotSerializableException e) {
      fail.completeExceptionally(
          Failures.toException(
              JsonRule.notSerializable("arguments", ref.toString(), e.problem()), false));
      return null;
    }
  }

  private static List<Object> toList(ArrayNode args) {
    ArrayList<Object> out = new ArrayList<>(args.size());
    args.forEach(out::add);
    return out;
  }
}
