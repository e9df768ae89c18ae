package dev.braid.internal.hub;

import dev.braid.proto.worker.v1.GatewayFrame;

/**
 * Where a call's frames go: a worker process's stream ({@link WorkerConnection}) or an in-process
 * host of Java functions. Calls see the same protocol either way, so deadlines, cancellation modes,
 * grace and streaming credit behave the same for every language. Implementations are thread-safe.
 */
public interface WorkerChannel {
  /** Registers a call and returns its id; fails the listener at once if the channel is gone. */
  long register(CallListener listener);

  /** Forgets a call without telling its listener. */
  void unregister(long callId);

  /** Sends an Invoke, Cancel or StreamCredit frame for a registered call. */
  void send(GatewayFrame frame);

  /** "python worker python-1 (pid 1234)", for messages. */
  String describe();
}
