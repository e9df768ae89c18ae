/**
 * Nested calls: a running function calls another function (any language) through the
 * gateway, on the worker's own stream.
 *
 * Each nested call gets an id in the worker's own nested id space; the gateway answers with
 * a `nested_outcome` frame under that id. The nested call is a child of the calling call:
 * it gets the caller's remaining time (or a smaller explicit timeout) and, when the caller's
 * signal aborts, a `nested_cancel` is sent and the promise rejects at once with the abort
 * reason. The gateway enforces the nested deadline; streams are not supported (credit 0).
 *
 * @module
 */

import { BraidError, notSerializable, tooLarge } from './failures.mjs';
import { abortReason } from './context.mjs';
import { DEFAULT_MAX_PAYLOAD_BYTES } from './proto.mjs';
import { NotSerializable, payload, stringify } from './json.mjs';

const PARENT_CANCELLED = 'parent_cancelled';

/**
 * The table of pending nested calls of one connection. Event-loop only.
 */
export class NestedCalls {
  /**
   * @param {import('./writer.mjs').BatchWriter} writer
   */
  constructor(writer) {
    /** Welcome's payload limit, once it came; nested-call arguments over it are not sent. */
    this.maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    this._writer = writer;
    /** @type {Map<number, Pending>} */
    this._pending = new Map();
    this._nextId = 1;
  }

  /** Number of nested calls waiting for their outcome. */
  get size() {
    return this._pending.size;
  }

  /**
   * Starts a nested call on behalf of `ctx`.
   *
   * @param {import('./context.mjs').CallContext} ctx the calling call
   * @param {string} ref full reference with language, e.g. `"python:pricing:tax"`
   * @param {unknown[]} args positional arguments
   * @param {{kwargs?: Record<string, unknown>, timeout?: number} | undefined} options
   * @returns {Promise<unknown>} never throws synchronously
   */
  start(ctx, ref, args, options) {
    if (typeof ref !== 'string' || ref === '') {
      return Promise.reject(new TypeError(`function reference must be a non-empty string: ${String(ref)}`));
    }
    if (!Array.isArray(args)) {
      return Promise.reject(new TypeError(`args for '${ref}' must be an array, got ${typeof args}`));
    }
    if (ctx._done) {
      return Promise.reject(
        new BraidError(`cannot call '${ref}': the calling call ${ctx.function} has ended`, {
          code: 'INVALID_ARGUMENT',
          type: 'Error',
        }),
      );
    }
    const { kwargs, timeout } = options ?? {};
    if (timeout !== undefined && timeout !== null && !(typeof timeout === 'number' && timeout > 0)) {
      return Promise.reject(new RangeError(`timeout must be a positive number of ms: ${String(timeout)}`));
    }
    if (kwargs != null && (typeof kwargs !== 'object' || Array.isArray(kwargs))) {
      return Promise.reject(new TypeError(`kwargs for '${ref}' must be a plain object`));
    }
    const signal = ctx.signal; // arms the caller's deadline, if any
    if (signal.aborted) return Promise.reject(signal.reason);
    let argsData;
    let kwargsData = null;
    try {
      argsData = Buffer.from(stringify(args));
      if (kwargs != null && Object.keys(kwargs).length > 0) kwargsData = Buffer.from(stringify(kwargs));
    } catch (e) {
      const problem = e instanceof NotSerializable ? e.problem : `$ could not be converted (${e?.message})`;
      const rec = notSerializable('arguments', ref, problem);
      return Promise.reject(new BraidError(rec.message, { code: 'INVALID_ARGUMENT', type: rec.type }));
    }
    const size = argsData.length + (kwargsData?.length ?? 0);
    if (size > this.maxPayloadBytes) {
      const rec = tooLarge('arguments', ref, size, this.maxPayloadBytes);
      return Promise.reject(new BraidError(rec.message, { code: 'RESOURCE_EXHAUSTED', type: rec.type }));
    }
    let remaining = ctx.remaining();
    if (typeof timeout === 'number' && (remaining === null || timeout < remaining)) remaining = timeout;
    const id = this._nextId++;
    const frame = {
      nested_call: {
        call_id: id,
        parent_call_id: ctx.callId,
        function: ref,
        args: payload(argsData),
        remaining_ms: remaining === null ? 0 : Math.max(1, Math.ceil(remaining)),
        initial_credit: 0,
      },
    };
    if (kwargsData !== null) frame.nested_call.kwargs = payload(kwargsData);
    return new Promise((resolve, reject) => {
      const pending = new Pending(this, id, ctx, resolve, reject);
      if (!this._writer.frame(frame, argsData.length + (kwargsData?.length ?? 0) + ref.length)) {
        reject(
          new BraidError(`cannot call '${ref}': the worker is disconnecting`, {
            code: 'UNAVAILABLE',
            type: 'Unavailable',
          }),
        );
        return;
      }
      this._pending.set(id, pending);
      ctx._nestedCount += 1;
      signal.addEventListener('abort', pending, { once: true });
    });
  }

  /**
   * Settles the nested call an outcome is for; unknown ids (already cancelled) are ignored.
   *
   * @param {{call_id?: number, value?: {data?: Buffer}, failure?: object}} outcome
   */
  onOutcome(outcome) {
    const pending = this._take(outcome.call_id ?? 0);
    if (pending === undefined) return;
    if (outcome.failure != null) {
      pending.reject(BraidError.fromFailure(outcome.failure));
      return;
    }
    const data = outcome.value?.data;
    if (data == null || data.length === 0) {
      pending.resolve(null);
      return;
    }
    let value;
    try {
      value = JSON.parse(data.toString('utf8'));
    } catch (e) {
      pending.reject(
        new BraidError(`malformed result of a nested call: ${e.message}`, { code: 'INTERNAL', type: 'SyntaxError' }),
      );
      return;
    }
    pending.resolve(value);
  }

  /**
   * The calling call ended with nested calls still open: no call outlives its caller, so
   * they are cancelled (reason `parent_cancelled`) and their promises reject with an
   * AbortError (if nobody awaits them, the worker logs the unhandled rejection).
   *
   * @param {import('./context.mjs').CallContext} ctx
   */
  orphaned(ctx) {
    for (const pending of [...this._pending.values()]) {
      if (pending.ctx === ctx) pending.cancel(PARENT_CANCELLED, abortReason(PARENT_CANCELLED));
    }
  }

  /**
   * Rejects every pending nested call with `err` (the connection is gone); sends nothing.
   *
   * @param {Error} err
   */
  rejectAll(err) {
    for (const pending of [...this._pending.values()]) {
      this._take(pending.id);
      pending.reject(err);
    }
  }

  _take(id) {
    const pending = this._pending.get(id);
    if (pending === undefined) return undefined;
    this._pending.delete(id);
    pending.ctx._nestedCount -= 1;
    pending.ctx._controller?.signal.removeEventListener('abort', pending);
    return pending;
  }
}

/** One pending nested call; also the caller signal's abort listener (handleEvent). */
class Pending {
  constructor(table, id, ctx, resolve, reject) {
    this.table = table;
    this.id = id;
    this.ctx = ctx;
    this.resolve = resolve;
    this.reject = reject;
  }

  handleEvent() {
    const signal = this.ctx._controller.signal;
    this.cancel(this.ctx.reason ?? 'cancelled', signal.reason);
  }

  cancel(reason, error) {
    if (this.table._take(this.id) === undefined) return;
    this.table._writer.frame({ nested_cancel: { call_id: this.id, reason } });
    this.reject(error);
  }
}
