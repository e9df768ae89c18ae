package dev.braid.internal.javaworker;

import dev.braid.api.CallOptions;
import dev.braid.api.RemoteCall;
import java.util.List;
import java.util.Map;

/** Starts a call of any language; provided by {@code Braid} so in-process code can nest calls. */
@FunctionalInterface
public interface NestedCaller {
  RemoteCall call(String reference, List<?> args, Map<String, ?> kwargs, CallOptions options);
}
