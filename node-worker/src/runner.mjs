/**
 * One call, start to finish: an Invoke in, exactly one Outcome out.
 *
 * `CallRunner.run` resolves the function (cached after the first time), decodes the
 * arguments, calls the function inside the call's AsyncLocalStorage context, streams
 * generator items against the credit the gateway grants, and turns every way of ending -
 * value, throw, rejection after an abort, unserializable or oversized result - into one
 * Outcome. It never throws: a failing call is an Outcome, never a broken worker.
 *
 * The runner does not settle a call by itself when it is aborted: it waits for the function
 * (the gateway enforces deadline + grace and reports the call abandoned). Only the worker's
 * shutdown answers for calls that never settle.
 *
 * @module
 */

import { types } from 'node:util';
import { contextNeeded, storage, DEADLINE_EXCEEDED } from './context.mjs';
import { Code, DEFAULT_MAX_PAYLOAD_BYTES, ENCODING, Kind } from './proto.mjs';
import { failure, fromError, notSerializable, tooLarge } from './failures.mjs';
import { decodePayload, NotSerializable, stringify } from './json.mjs';
import { BindError, bindKeywords } from './params.mjs';
import { ResolveError } from './resolve.mjs';

const NULL_DATA = Buffer.from('null');

/** A call that cannot proceed; `record` is its outcome (not the function's error). */
class Rejected {
  constructor(record) {
    this.record = record;
  }
}

/**
 * Runs calls for one connection. Event-loop only.
 *
 * `calls` is the worker's in-flight map: the runner removes a call from it when the call
 * ends, right before its Outcome is queued. A context already marked done (abandoned at
 * shutdown, which sent its own Outcome) gets no second Outcome.
 */
export class CallRunner {
  /**
   * @param {import('./writer.mjs').BatchWriter} writer
   * @param {import('./resolve.mjs').Resolver} resolver
   * @param {Map<number, import('./context.mjs').CallContext>} calls
   * @param {import('./nested.mjs').NestedCalls} nested
   */
  constructor(writer, resolver, calls, nested) {
    this.maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    /** @type {(() => void) | null} called when the last open call ends */
    this.onIdle = null;
    this._writer = writer;
    this._resolver = resolver;
    this._calls = calls;
    this._nested = nested;
  }

  /**
   * Runs the call `inv` describes, in `ctx`; queues its Outcome. Never throws.
   *
   * A function whose reference is already resolved starts synchronously, inside this call.
   *
   * @param {import('./context.mjs').CallContext} ctx
   * @param {object} inv the decoded Invoke
   */
  run(ctx, inv) {
    const target = this._resolver.cached(ctx.function);
    if (target === undefined) this._resolveThenRun(ctx, inv);
    else if (contextNeeded()) storage.run(ctx, runCall, this, ctx, target, inv);
    else runCall(this, ctx, target, inv);
  }

  async _resolveThenRun(ctx, inv) {
    let target;
    try {
      target = await this._resolver.resolve(ctx.function);
    } catch (e) {
      this._fail(ctx, resolveFailure(e));
      return;
    }
    if (ctx._done) return; // abandoned at shutdown while the module loaded
    if (ctx._reason !== null) {
      // Cancelled while its module loaded: the body never runs.
      this._fail(ctx, cancelledRecord(ctx, undefined));
      return;
    }
    if (contextNeeded()) storage.run(ctx, runCall, this, ctx, target, inv);
    else runCall(this, ctx, target, inv);
  }

  // -- settling ---------------------------------------------------------------------------

  async _await(ctx, promise, credit) {
    let value;
    try {
      value = await promise;
    } catch (e) {
      this._settleError(ctx, e);
      return;
    }
    this._settle(ctx, value, credit);
  }

  _settle(ctx, value, credit) {
    if (isStream(value)) {
      if (credit === 0) {
        closeQuietly(value); // a generator that has not started runs none of its code
        this._fail(ctx, generatorWithoutCredit(ctx.function));
      } else {
        this._stream(ctx, value);
      }
      return;
    }
    if (credit === 0) {
      this._sendValue(ctx, value);
      return;
    }
    // A plain function called as a stream: its result is the one item.
    const rec = this._sendItem(ctx, value);
    if (rec !== null) this._fail(ctx, rec);
    else this._sendNull(ctx);
  }

  _settleError(ctx, err) {
    this._fail(ctx, ctx.cancelled ? cancelledRecord(ctx, err) : fromError(err));
  }

  _sendValue(ctx, value) {
    if (ctx._done) return;
    const data = this._encode(ctx, value, 'result');
    if (data instanceof Rejected) {
      this._fail(ctx, data.record);
      return;
    }
    if (this._finish(ctx)) {
      this._writer.frame({ outcome: { call_id: ctx.callId, value: { encoding: ENCODING, data } } }, data.length);
    }
  }

  _sendNull(ctx) {
    if (this._finish(ctx)) {
      this._writer.frame({
        outcome: { call_id: ctx.callId, value: { encoding: ENCODING, data: NULL_DATA }, items: ctx._items },
      });
    }
  }

  _fail(ctx, rec) {
    if (!this._finish(ctx)) return;
    const outcome = { call_id: ctx.callId, failure: rec };
    if (ctx._items) outcome.items = ctx._items;
    this._writer.frame({ outcome }, (rec.message?.length ?? 0) + (rec.stack?.length ?? 0));
  }

  /** Marks the call ended; false if its Outcome was already sent (abandoned at shutdown). */
  _finish(ctx) {
    if (ctx._done) return false;
    ctx._end();
    this._calls.delete(ctx.callId);
    if (ctx._nestedCount > 0) this._nested.orphaned(ctx);
    if (this._calls.size === 0 && this.onIdle !== null) this.onIdle();
    return true;
  }

  // -- streams ----------------------------------------------------------------------------

  async _stream(ctx, source) {
    let it = null;
    let rec = null;
    let threw = false;
    let error;
    try {
      it = typeof source[Symbol.asyncIterator] === 'function' ? source[Symbol.asyncIterator]() : source;
      // The source runs at most one item ahead of the credit: it is advanced, and the item it
      // produced waits for credit. Without that one step the end of a stream whose credit
      // ran out exactly at its last item could never be seen.
      for (;;) {
        const step = await it.next();
        if (step.done) {
          it = null; // finished: nothing to close
          break;
        }
        if (ctx._credit <= 0 && ctx._reason === null) await waitForCredit(ctx);
        if (ctx._reason !== null) {
          rec = cancelledRecord(ctx, undefined); // nobody wants more items
          break;
        }
        rec = this._sendItem(ctx, step.value);
        if (rec !== null) break;
      }
    } catch (e) {
      it = null; // a source that threw is finished
      threw = true;
      error = e;
    }
    if (rec !== null) {
      if (it !== null) {
        try {
          await it.return?.(); // runs the generator's finally blocks
        } catch {
          // The outcome is already decided; an error while closing cannot change it.
        }
      }
      this._fail(ctx, rec);
    } else if (threw) {
      this._settleError(ctx, error);
    } else {
      this._sendNull(ctx);
    }
  }

  /** Sends one stream item; returns a failure record instead if it cannot be sent. */
  _sendItem(ctx, value) {
    if (ctx._done) return null;
    const data = this._encode(ctx, value, 'stream item');
    if (data instanceof Rejected) return data.record;
    this._writer.frame(
      { item: { call_id: ctx.callId, seq: ctx._items, value: { encoding: ENCODING, data } } },
      data.length,
    );
    ctx._items += 1;
    ctx._credit -= 1;
    return null;
  }

  /** @returns {Buffer | Rejected} */
  _encode(ctx, value, what) {
    let data;
    try {
      data = Buffer.from(stringify(value));
    } catch (e) {
      const problem = e instanceof NotSerializable ? e.problem : `$ could not be converted (${e?.message})`;
      return new Rejected(notSerializable(what, ctx.function, problem));
    }
    if (data.length > this.maxPayloadBytes) {
      return new Rejected(tooLarge(what, ctx.function, data.length, this.maxPayloadBytes));
    }
    return data;
  }
}

/**
 * The body of a call; inside `storage.run(ctx, ...)` when the API is in use, so that
 * everything the function starts sees ctx through `current()`.
 */
function runCall(runner, ctx, target, inv) {
  let args;
  try {
    args = argumentsFor(ctx.function, target, inv);
  } catch (e) {
    runner._fail(ctx, e instanceof Rejected ? e.record : fromError(e, { code: Code.INVALID_ARGUMENT }));
    return;
  }
  const credit = inv.initial_credit ?? 0;
  ctx._credit = credit;
  const kind = target.kind;
  if (credit === 0 && (kind === Kind.ASYNC_GENERATOR || kind === Kind.GENERATOR)) {
    runner._fail(ctx, generatorWithoutCredit(ctx.function));
    return;
  }
  let result;
  try {
    // The context is an argument only where the function asked for it (withContext), and then
    // always the first: appended after the data it would land in an optional parameter.
    if (target.withContext) args.unshift(ctx);
    if (kind === Kind.CALLBACK) {
      result = callWithCallback(target, args);
    } else {
      result = target.fn.apply(target.thisArg, args);
    }
    // Inside the try: reading `then` of a hostile object (a Proxy) may throw.
    if (result instanceof Promise || (result !== null && typeof result === 'object' && typeof result.then === 'function')) {
      runner._await(ctx, result, credit);
      return;
    }
  } catch (e) {
    runner._settleError(ctx, e);
    return;
  }
  runner._settle(ctx, result, credit);
}

function callWithCallback(target, args) {
  return new Promise((resolve, reject) => {
    // util.promisify's convention: a truthy err rejects; the first call settles.
    args.push((err, value) => {
      if (err) reject(err);
      else resolve(value);
    });
    target.fn.apply(target.thisArg, args);
  });
}

function waitForCredit(ctx) {
  return new Promise((resolve) => {
    ctx._creditWake = resolve;
  });
}

/** An async iterable (async generator, stream) or a sync generator object. */
function isStream(value) {
  if (value === null || typeof value !== 'object') return false;
  try {
    return typeof value[Symbol.asyncIterator] === 'function' || types.isGeneratorObject(value);
  } catch {
    return false; // a hostile getter: not a stream; JSON encoding will tell what it is
  }
}

function closeQuietly(source) {
  try {
    const done = source.return?.();
    if (done && typeof done.then === 'function') done.then(undefined, () => {});
  } catch {
    // closing is best effort: the call already has its outcome
  }
}

function generatorWithoutCredit(ref) {
  return failure(Code.INVALID_ARGUMENT, 'TypeError', `${ref} is a generator; call it as a stream`);
}

/**
 * The failure for a call that ended after its signal aborted. The abort error itself (or
 * one of its kind) is the record; any other error the function ended with is kept as the
 * cause.
 */
export function cancelledRecord(ctx, err) {
  const reason = ctx.reason ?? 'cancelled';
  const deadline = reason === DEADLINE_EXCEEDED;
  const overrides = {
    code: deadline ? Code.DEADLINE_EXCEEDED : Code.CANCELLED,
    type: deadline ? 'TimeoutError' : 'AbortError',
    message: deadline ? `${ctx.function} exceeded its deadline` : `${ctx.function} was cancelled (${reason})`,
    reason,
  };
  // The signal's own reason was made by the worker: its stack says nothing about the function.
  if (err === undefined || err === ctx._controller?.signal.reason) {
    return failure(overrides.code, overrides.type, overrides.message, { reason });
  }
  if (isAbortLike(err)) return fromError(err, overrides);
  const rec = failure(overrides.code, overrides.type, overrides.message, { reason });
  rec.cause = fromError(err);
  return rec;
}

function isAbortLike(err) {
  try {
    const name = err?.name;
    return name === 'AbortError' || name === 'TimeoutError';
  } catch {
    return false;
  }
}

function resolveFailure(e) {
  if (e instanceof ResolveError) {
    const rec = e.original !== undefined ? fromError(e.original) : failure(Code.INVALID_ARGUMENT, e.type, e.message);
    rec.code = Code.INVALID_ARGUMENT;
    rec.type = e.type;
    rec.message = e.message;
    rec.retryable = false;
    return rec;
  }
  return fromError(e, { code: Code.INVALID_ARGUMENT });
}

/**
 * The argument list of an Invoke for `target`: `args` (a JSON array), with the keyword arguments
 * bound to the function's parameters by name (params.mjs `bindKeywords`).
 *
 * @throws {Rejected}
 */
export function argumentsFor(ref, target, inv) {
  const { args, kwargs } = decodeArgs(ref, inv);
  if (kwargs === null) return args;
  try {
    return bindKeywords(ref, target.params(), args, kwargs);
  } catch (e) {
    if (!(e instanceof BindError)) throw e;
    throw new Rejected(failure(Code.INVALID_ARGUMENT, 'TypeError', `invalid arguments for '${ref}': ${e.message}`));
  }
}

/**
 * The decoded `args` (a JSON array; [] when absent) and `kwargs` (a non-empty JSON object, or
 * null) of an Invoke.
 *
 * @returns {{args: unknown[], kwargs: Record<string, unknown> | null}}
 * @throws {Rejected}
 */
export function decodeArgs(ref, inv) {
  let args = payloadOf(ref, inv.args, 'args');
  if (args === undefined || args === null) args = [];
  else if (!Array.isArray(args)) throw badShape(ref, 'args', 'a JSON array', args);
  if (inv.kwargs !== undefined && inv.kwargs !== null) {
    const kwargs = payloadOf(ref, inv.kwargs, 'kwargs');
    if (kwargs !== undefined && kwargs !== null) {
      if (typeof kwargs !== 'object' || Array.isArray(kwargs)) {
        throw badShape(ref, 'kwargs', 'a JSON object', kwargs);
      }
      for (const key in kwargs) {
        if (Object.hasOwn(kwargs, key)) return { args, kwargs };
      }
    }
  }
  return { args, kwargs: null };
}

function payloadOf(ref, message, what) {
  try {
    return decodePayload(message, what);
  } catch (e) {
    const text = e instanceof SyntaxError ? `malformed ${what} for '${ref}': ${e.message}` : e.message;
    throw new Rejected(fromError(e, { code: Code.INVALID_ARGUMENT, message: text }));
  }
}

function badShape(ref, what, expected, value) {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return new Rejected(
    failure(Code.INVALID_ARGUMENT, 'TypeError', `${what} for '${ref}' must be ${expected}, got ${got}`),
  );
}
