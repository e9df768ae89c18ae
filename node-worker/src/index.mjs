/**
 * `@braid/worker`: the API a function running in a Braid Node worker can use.
 *
 * - `current()` - the running call's context (signal, deadline, remaining(), heartbeat(),
 *   cancelled, reason, callId, function, attempt, idempotencyKey, call());
 * - `call(ref, ...args)` / `callWith(ref, args, {kwargs, timeout})` - call another function,
 *   in any language, through the gateway, as a child of the running call;
 * - `callback(fn)` - declare an error-first callback function;
 * - `withContext(fn)` - declare that `fn` takes its call's context as its first argument (the
 *   worker never passes the context otherwise: use `current()`);
 * - `BraidError` - throw it to choose a failure's code, type, retryability and details.
 *
 * Everything else in the package is internal and may change without notice.
 *
 * @module
 */

import { current, markApiInUse, storage, outsideCall } from './context.mjs';
import { BraidError } from './failures.mjs';
import { callback, withContext } from './resolve.mjs';

/**
 * Calls `ref` (full reference with language, e.g. `"python:pricing:tax"`) with positional
 * `args`, as a child of the running call: it inherits the remaining time and is cancelled
 * (`nested_cancel`) when the running call's signal aborts, which rejects the promise at once
 * with the abort reason.
 *
 * @param {string} ref
 * @param {...unknown} args
 * @returns {Promise<unknown>} the decoded JSON result; rejects with a `BraidError` carrying
 *   the callee's failure record (`code`, `type`, `message`, `language`, `remoteStack`,
 *   `cause`, `reason`, `failure`); also rejects (never throws) outside a call
 */
export function call(ref, ...args) {
  const ctx = storage.getStore();
  if (ctx === undefined) return Promise.reject(outsideCall('call()'));
  return ctx._host.nested.start(ctx, ref, args, undefined);
}

/**
 * Like `call`, with the arguments as an array and options: `kwargs` (a plain object, sent as
 * the Invoke's keyword arguments) and `timeout` (ms; the nested call gets the smaller of it
 * and the running call's remaining time).
 *
 * @param {string} ref
 * @param {unknown[]} [args]
 * @param {{kwargs?: Record<string, unknown>, timeout?: number}} [options]
 * @returns {Promise<unknown>}
 */
export function callWith(ref, args = [], options = undefined) {
  const ctx = storage.getStore();
  if (ctx === undefined) return Promise.reject(outsideCall('callWith()'));
  return ctx._host.nested.start(ctx, ref, args, options);
}

export { BraidError, callback, current, withContext };

// For CommonJS modules: require('@braid/worker') is served by index.cjs, which cannot load
// this ES module in Node 20 and reads this object instead. Reading it means the API is in
// use (see context.mjs `apiInUse`).
const api = Object.freeze({ BraidError, call, callWith, callback, current, withContext });
Object.defineProperty(globalThis, Symbol.for('braid.worker.api'), {
  get() {
    markApiInUse();
    return api;
  },
  configurable: false,
  enumerable: false,
});
