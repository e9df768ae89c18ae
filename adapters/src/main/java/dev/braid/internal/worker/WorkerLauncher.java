package dev.braid.internal.worker;

import java.util.List;
import java.util.Map;

/** How to start a worker process of one language. Implementations are stateless. */
public interface WorkerLauncher {
  /** The language name: {@code python}, {@code node}. */
  String language();

  /** The command line of a worker process. */
  List<String> command();

  /**
   * The complete environment of a worker process. The gateway's own environment is NOT inherited:
   * only what this map holds reaches the worker.
   */
  Map<String, String> environment(String workerId, String token, String socketPath);
}
