/**
 * The running call's context: what a function can know about its call, reachable through
 * `current()` (AsyncLocalStorage), and as the first argument of a function marked
 * `withContext()` - never in place of a data argument.
 *
 * The AbortController is created on first use of `signal` (most functions never read it, and
 * a controller plus a deadline timer per call is measurable on the hot path). Until then the
 * context keeps the same state in two fields - the recorded reason and the deadline - so
 * `cancelled`, `reason` and an aborted `signal` created late all agree.
 *
 * @module
 */

import { AsyncLocalStorage } from 'node:async_hooks';

export const DEADLINE_EXCEEDED = 'deadline_exceeded';

/** @type {AsyncLocalStorage<CallContext>} */
export const storage = new AsyncLocalStorage();

/**
 * `[0]` becomes 1 once some module imported `@braid/worker` (set by the resolve hook, which
 * runs on the loader thread - hence shared memory - or by a `require()` of the API).
 *
 * Calls run inside `storage.run()` only from then on. On Node 20 the first `run()` switches
 * on async hooks for the whole process, which costs every promise and every native callback
 * (grpc-js included) something: ~30 µs per round trip on an idle link. A module that does not
 * import the API cannot ask for its context (`current()`, `withContext()`), so until one does
 * the worker skips AsyncLocalStorage altogether.
 */
export const apiInUse = new Int32Array(new SharedArrayBuffer(4));
let contextOn = false;

/** Records that user code imported the API: calls started from now on run in `storage`. */
export function markApiInUse() {
  Atomics.store(apiInUse, 0, 1);
}

/** True once calls must run inside `storage` (see `apiInUse`). Sticky. */
export function contextNeeded() {
  return contextOn || (contextOn = Atomics.load(apiInUse, 0) === 1);
}

/**
 * The context of the call running in this async context.
 *
 * Works in every call that started after the first module importing `@braid/worker` was
 * loaded - in practice every call, since a module that can call `current()` has imported it
 * before its functions run. (A call that imports such a module dynamically, mid-call, has no
 * context in it: take the context as an argument there, with `withContext()`.)
 *
 * @returns {CallContext}
 * @throws {Error} outside a call (at module load, or in work not started from a call)
 */
export function current() {
  const ctx = storage.getStore();
  if (ctx === undefined) throw outsideCall('current()');
  return ctx;
}

/** The error for an API that needs a running call. */
export function outsideCall(what) {
  return new Error(
    `${what} called outside a Braid call: it only works inside a function the worker is ` +
      'running (or in async work started from it)',
  );
}

/**
 * The abort reason for a cancellation reason: a `TimeoutError` DOMException for
 * `deadline_exceeded`, an `AbortError` DOMException otherwise; the message is the reason.
 *
 * @param {string} reason
 * @returns {DOMException}
 */
export function abortReason(reason) {
  return new DOMException(reason, reason === DEADLINE_EXCEEDED ? 'TimeoutError' : 'AbortError');
}

function onDeadline(ctx) {
  ctx._timer = null;
  ctx._cancel(DEADLINE_EXCEEDED);
}

/**
 * One call's context. Created by the worker; functions only read it.
 *
 * - `callId`, `function` (the reference, `"file.mjs#name"`), `attempt` (1-based);
 * - `idempotencyKey`: the same for every attempt of one workflow step (`"<run id>/<step
 *   path>"`), null for a call outside a workflow run. Steps are at-least-once: use the key to
 *   make a side effect happen once (docs/durability.md);
 * - `secret(name)`: a secret the workflow declared under `secrets:`;
 * - `deadline`: a `performance.now()` value in ms, or null without a deadline;
 * - `signal`: aborted when the call is cancelled (reason: an `AbortError` DOMException whose
 *   message is the cancel reason) or its deadline passes (a `TimeoutError` DOMException);
 * - `cancelled` / `reason`: sticky, the first reason wins; a passed deadline counts as
 *   `"deadline_exceeded"` even before the signal's timer fired.
 *
 * Aborting does not settle the call: the worker waits for the function, and reports a
 * rejection after the abort as CANCELLED / DEADLINE_EXCEEDED, a value as the value.
 */
export class CallContext {
  /** A private field: `console.log(ctx)` and JSON.stringify must not show the values. */
  /** @type {Map<string, string>} */
  #secrets = new Map();

  /**
   * @param {number} callId
   * @param {string} fn the function reference
   * @param {number} attempt
   * @param {number | null} deadline `performance.now()` ms, or null
   * @param {{armHeartbeat(ctx: CallContext): void, nested: import('./nested.mjs').NestedCalls}} host
   */
  constructor(callId, fn, attempt, deadline, host) {
    this.callId = callId;
    this.function = fn;
    this.attempt = attempt;
    this.deadline = deadline;
    /** @type {string | null} set by the worker from the Invoke frame */
    this.idempotencyKey = null;
    this._host = host;
    /** @type {AbortController | null} */
    this._controller = null;
    /** @type {string | null} */
    this._reason = null;
    this._timer = null;
    this._done = false;
    this._items = 0;
    this._credit = 0;
    /** @type {(() => void) | null} */
    this._creditWake = null;
    this._hbArmed = false;
    this._hbDetails = undefined;
    this._hbLast = -Infinity;
    this._nestedCount = 0;
  }

  /**
   * The value of secret `name`, one the workflow declared under `secrets:`. The gateway sends
   * the declared secrets with each call, never through the worker's environment. Keep the
   * value out of results, logs and errors: the gateway shows a known secret as `***` in what
   * it prints, but not a transformed one (encoded, split).
   * @param {string} name
   * @returns {string}
   * @throws {Error} if the call was not given that secret
   */
  secret(name) {
    const v = this.#secrets.get(name);
    if (v === undefined) {
      const given = [...this.#secrets.keys()].sort().join(', ') || 'none';
      throw new Error(
        `secret '${name}' was not given to this call: a workflow gives the secrets it declares under secrets: (given here: ${given})`,
      );
    }
    return v;
  }

  /**
   * Called by the worker with the Invoke frame's secrets (name -> value).
   * @param {Record<string, string>} secrets
   */
  _setSecrets(secrets) {
    for (const [name, value] of Object.entries(secrets)) this.#secrets.set(name, value);
  }

  /** @returns {AbortSignal} the call's signal (one AbortController per call) */
  get signal() {
    return (this._controller ?? this._makeController()).signal;
  }

  /** True once the call was cancelled or its deadline passed. */
  get cancelled() {
    return this._reason !== null || (this.deadline !== null && performance.now() >= this.deadline);
  }

  /** The first cancellation reason (`"cancelled"`, `"deadline_exceeded"`, ...) or null. */
  get reason() {
    if (this._reason === null && this.deadline !== null && performance.now() >= this.deadline) {
      return DEADLINE_EXCEEDED;
    }
    return this._reason;
  }

  /** Milliseconds left before the deadline (never negative), or null without a deadline. */
  remaining() {
    if (this.deadline === null) return null;
    // libuv rounds timers to its millisecond loop clock, so the deadline's timer can fire a
    // fraction of a millisecond before performance.now() reaches the deadline; once it fired,
    // no time is left.
    if (this._reason === DEADLINE_EXCEEDED) return 0;
    return Math.max(0, this.deadline - performance.now());
  }

  /**
   * Records liveness and the latest `details` (JSON-serializable). Never blocks.
   *
   * The worker sends at most one Heartbeat frame per call per ~100 ms, carrying the latest
   * details; calls in between only replace them. A no-op after the call ended.
   *
   * @param {unknown} [details]
   */
  heartbeat(details) {
    this._hbDetails = details;
    if (!this._hbArmed && !this._done) {
      this._hbArmed = true;
      this._host.armHeartbeat(this);
    }
  }

  /**
   * Calls another function, in any language, through the gateway: `ref` is the full
   * reference (`"python:pricing:tax"`, `"node:quote.mjs#quote"`). The nested call inherits
   * this call's remaining time and is cancelled when this call is.
   *
   * @param {string} ref
   * @param {...unknown} args JSON-serializable positional arguments
   * @returns {Promise<unknown>} the result; rejects with a `BraidError` carrying the failure
   *   record, or with the abort reason when this call is cancelled first
   */
  call(ref, ...args) {
    return this._host.nested.start(this, ref, args, undefined);
  }

  /**
   * Like `call`, with the arguments as an array and options.
   *
   * @param {string} ref
   * @param {unknown[]} args
   * @param {{kwargs?: Record<string, unknown>, timeout?: number}} [options] `timeout` in ms
   *   (the nested call gets the smaller of it and this call's remaining time)
   * @returns {Promise<unknown>}
   */
  callWith(ref, args, options) {
    return this._host.nested.start(this, ref, args, options);
  }

  /**
   * Records `reason` and aborts the signal unless already cancelled.
   *
   * @param {string} reason
   * @returns {boolean} true if this was the first cancel
   * @internal
   */
  _cancel(reason) {
    if (this._reason !== null) return false;
    // A cancel that arrives after the deadline passed is the deadline's, whatever it says.
    this._reason =
      this.deadline !== null && performance.now() >= this.deadline ? DEADLINE_EXCEEDED : reason;
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    const wake = this._creditWake;
    if (wake !== null) {
      this._creditWake = null;
      wake();
    }
    // Last: abort listeners run synchronously and may look at everything above.
    if (this._controller !== null) this._controller.abort(abortReason(this._reason));
    return true;
  }

  /** The call ended: no more timers or heartbeats. @internal */
  _end() {
    this._done = true;
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  _makeController() {
    const controller = new AbortController();
    this._controller = controller;
    if (this._reason === null && this.deadline !== null && !this._done) {
      const left = this.deadline - performance.now();
      if (left <= 0) this._reason = DEADLINE_EXCEEDED;
      else this._timer = setTimeout(onDeadline, Math.ceil(left), this);
    }
    if (this._reason !== null) controller.abort(abortReason(this._reason));
    return controller;
  }

  toString() {
    return `CallContext(callId=${this.callId}, function='${this.function}', attempt=${this.attempt}, reason=${this.reason})`;
  }
}
