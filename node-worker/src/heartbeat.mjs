/**
 * Heartbeat coalescing: at most one Heartbeat frame per call per interval, latest details.
 *
 * `CallContext.heartbeat` only records the details and, when no send is pending, arms the
 * pump once; the pump sends on a later turn of the event loop, so user code never waits and
 * a burst of heartbeats in one turn becomes one frame.
 *
 * @module
 */

export const DEFAULT_INTERVAL_MS = 100;

/** Turns armed contexts into throttled `send(ctx, details)` calls. */
export class HeartbeatPump {
  /**
   * @param {(ctx: import('./context.mjs').CallContext, details: unknown) => void} send never
   *   called after the call ended
   * @param {number} [intervalMs]
   */
  constructor(send, intervalMs = DEFAULT_INTERVAL_MS) {
    this._send = send;
    this._interval = intervalMs;
  }

  /** Schedules a send for `ctx` (which is armed: `ctx._hbArmed` is true). */
  arm(ctx) {
    setImmediate(fire, this, ctx);
  }
}

function fire(pump, ctx) {
  if (ctx._done) return;
  const now = performance.now();
  const wait = ctx._hbLast + pump._interval - now;
  if (wait > 0) {
    // Still armed until then: heartbeats in between only replace the details.
    setTimeout(fire, Math.ceil(wait), pump, ctx);
    return;
  }
  ctx._hbArmed = false;
  ctx._hbLast = now;
  pump._send(ctx, ctx._hbDetails);
}
