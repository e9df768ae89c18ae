package dev.braid.gateway.sandbox;

/**
 * Receives a script's stdout and stderr as they come.
 *
 * <p>Called on the sandbox's I/O threads: each stream's chunks arrive in order on one thread, but
 * stdout and stderr are read by different threads and may interleave in any order. A listener must
 * not block for long: while it runs, that stream's pipe is not read and the script stalls on a full
 * pipe (its wall clock keeps running). Exceptions thrown by a listener are logged and ignored.
 * Chunks are decoded as UTF-8 (malformed bytes are replaced); nothing past the output cap is
 * delivered.
 */
@FunctionalInterface
public interface OutputListener {
  /** Which pipe a chunk came from. */
  enum Stream {
    STDOUT,
    STDERR
  }

  /** Ignores all output (it is still captured in the {@link ExecResult}). */
  OutputListener NONE = (stream, text) -> {};

  void onOutput(Stream stream, String text);
}
