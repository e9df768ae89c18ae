package dev.braid.api;

/** What the caller waits for when a call is cancelled (DESIGN §3.7, after Temporal's). */
public enum CancellationMode {
  /**
   * The default: the caller's future settles at once with the cancellation; the callee's cleanup
   * continues in the background, bounded by the grace period.
   */
  TRY,
  /** The caller settles only once the callee finished its cleanup or the grace period ran out. */
  WAIT,
  /** No cancel is sent to the callee; its eventual result is ignored. */
  ABANDON
}
