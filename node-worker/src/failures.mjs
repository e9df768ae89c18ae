/**
 * Failure records (`braid.worker.v1.Failure`) from thrown values, and `BraidError`.
 *
 * A failure record is the same in every language (DESIGN.md §3.2): code, type, message,
 * language, stack, cause, retryable, details, reason. Building a record never throws: a
 * record for a hostile value (a throwing getter, a cyclic cause chain) is still a record.
 *
 * @module
 */

import { fileURLToPath } from 'node:url';
import { types } from 'node:util';
import { Code, CODE_NAMES, LANGUAGE } from './proto.mjs';
import { encodeLoose, payload } from './json.mjs';

export const MAX_CAUSE_DEPTH = 16;
/** How many of an AggregateError's errors go into its details. */
export const MAX_AGGREGATE_ERRORS = 100;

// Retry policies may retry these by default; everything else must opt in.
const RETRYABLE_BY_DEFAULT = new Set([Code.DEADLINE_EXCEEDED, Code.UNAVAILABLE]);

/**
 * @typedef {object} FailureRecord the `Failure` message as a plain object
 * @property {number} code a `Code` value
 * @property {string} type
 * @property {string} message
 * @property {string} language
 * @property {string} [stack]
 * @property {FailureRecord} [cause]
 * @property {boolean} retryable
 * @property {{encoding: string, data: Buffer}} [details]
 * @property {string} [reason]
 */

/**
 * An error a function throws to choose its failure record; also what a failed nested call
 * rejects with.
 *
 * `code` is one of `APPLICATION` (default), `CANCELLED`, `DEADLINE_EXCEEDED`, `UNAVAILABLE`,
 * `RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT`, `INTERNAL`. `type` overrides the reported type
 * name (default: `err.name`, i.e. `BraidError` or a subclass's name). `retryable` defaults to
 * true for `DEADLINE_EXCEEDED` and `UNAVAILABLE`, false otherwise. `details` is any
 * JSON-serializable value.
 *
 * An error built by `BraidError.fromFailure` (a nested call's failure) also carries the
 * remote side's `language`, `reason`, `remoteStack` and the raw record in `failure`; thrown
 * on, it is reported as that record, so chains survive language hops.
 */
export class BraidError extends Error {
  /**
   * @param {string} message
   * @param {object} [options]
   * @param {keyof typeof Code} [options.code]
   * @param {string} [options.type]
   * @param {boolean} [options.retryable]
   * @param {unknown} [options.details]
   * @param {unknown} [options.cause]
   * @throws {RangeError} for an unknown code
   */
  constructor(message, { code = 'APPLICATION', type, retryable, details, cause } = {}) {
    if (!Object.hasOwn(Code, code)) {
      throw new RangeError(
        `unknown failure code: '${code}' (expected one of ${Object.keys(Code).join(', ')})`,
      );
    }
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.type = type ?? null;
    this.retryable = typeof retryable === 'boolean' ? retryable : RETRYABLE_BY_DEFAULT.has(Code[code]);
    this.details = details;
    /** @type {string | null} */
    this.language = null;
    /** @type {string} */
    this.reason = '';
    /** @type {string | null} */
    this.remoteStack = null;
    /** @type {FailureRecord | null} the record this error came from, if remote */
    this.failure = null;
  }

  /**
   * The error for a failure record received from the gateway (a nested call's outcome).
   *
   * @param {FailureRecord} record as decoded from the wire (numeric code, Buffer details)
   * @returns {BraidError}
   */
  static fromFailure(record, depth = MAX_CAUSE_DEPTH) {
    const code = CODE_NAMES[record.code] ?? 'INTERNAL';
    let details;
    if (record.details?.data?.length) {
      try {
        details = JSON.parse(Buffer.from(record.details.data).toString('utf8'));
      } catch {
        details = undefined;
      }
    }
    const cause =
      record.cause && depth > 1 ? BraidError.fromFailure(record.cause, depth - 1) : undefined;
    const err = new BraidError(record.message ?? '', {
      code,
      type: record.type || undefined,
      retryable: Boolean(record.retryable),
      details,
      cause,
    });
    err.language = record.language || null;
    err.reason = record.reason ?? '';
    err.remoteStack = record.stack || null;
    if (record.stack) err.stack = record.stack;
    err.failure = record;
    return err;
  }
}
BraidError.prototype.name = 'BraidError';

/**
 * A record that does not come from a thrown value (e.g. "worker shutting down").
 *
 * @param {number} code a `Code` value
 * @param {string} type
 * @param {string} message
 * @param {{reason?: string, retryable?: boolean}} [options]
 * @returns {FailureRecord}
 */
export function failure(code, type, message, { reason, retryable } = {}) {
  const rec = {
    code,
    type,
    message,
    language: LANGUAGE,
    retryable: typeof retryable === 'boolean' ? retryable : RETRYABLE_BY_DEFAULT.has(code),
  };
  if (reason) rec.reason = reason;
  return rec;
}

/**
 * The record of a value that breaks the JSON rule; the same words in every language.
 *
 * @param {string} what `result`, `stream item` or `arguments`
 * @param {string} ref the function reference
 * @param {string} problem from `NotSerializable` (`$.items[3].price is NaN`)
 */
export function notSerializable(what, ref, problem) {
  return failure(Code.INVALID_ARGUMENT, 'NotSerializable', `cannot send the ${what} of ${ref} as JSON: ${problem}`);
}

/**
 * The record of a payload over the limit the gateway announced in Welcome.
 *
 * @param {string} what
 * @param {string} ref
 * @param {number} size
 * @param {number} limit
 */
export function tooLarge(what, ref, size, limit) {
  return failure(
    Code.RESOURCE_EXHAUSTED,
    'PayloadTooLarge',
    `cannot send the ${what} of ${ref}: ${size} bytes, more than max_payload_bytes ${limit}`,
  );
}

/**
 * Builds the failure record for a thrown or rejected value, causes included (16 deep).
 *
 * Errors: type = `err.name` (a subclass's constructor name when `name` was left at
 * `"Error"`), `err.message`, `err.stack` without the worker's own frames, `err.cause` as the
 * cause. An `AggregateError` lists its errors as `details` (`[{type, message}]`) and its
 * first error is the cause unless it has its own. Non-Error values: type
 * `"NonErrorRejection"`, message `String(value)`, the value as JSON in `details`. Options
 * override what the value itself says.
 *
 * @param {unknown} value
 * @param {{code?: number, type?: string, message?: string, reason?: string, retryable?: boolean}} [overrides]
 * @returns {FailureRecord}
 */
export function fromError(value, overrides = {}) {
  return record(value, overrides, MAX_CAUSE_DEPTH, 'NonErrorRejection');
}

function record(value, overrides, depth, nonErrorType) {
  let rec;
  try {
    rec = isError(value) ? errorRecord(value, depth) : nonErrorRecord(value, nonErrorType);
  } catch (e) {
    rec = failure(Code.APPLICATION, 'Error', `<failure record unavailable: ${safeString(e)}>`);
  }
  if (overrides.code !== undefined) {
    rec.code = overrides.code;
    if (overrides.retryable === undefined) rec.retryable = RETRYABLE_BY_DEFAULT.has(rec.code);
  }
  if (overrides.type !== undefined) rec.type = overrides.type;
  if (overrides.message !== undefined) rec.message = overrides.message;
  if (overrides.reason !== undefined) rec.reason = overrides.reason;
  if (overrides.retryable !== undefined) rec.retryable = overrides.retryable;
  return rec;
}

function errorRecord(err, depth) {
  if (err instanceof BraidError && err.failure) {
    // A nested call's failure thrown on: report the remote record itself.
    return { ...err.failure };
  }
  const braid = err instanceof BraidError;
  const code = braid ? Code[err.code] ?? Code.APPLICATION : Code.APPLICATION;
  const own = braid ? err.retryable : undefined;
  const rec = {
    code,
    type: (braid && typeof err.type === 'string' && err.type) || typeName(err),
    message: safeString(read(err, 'message') ?? ''),
    language: LANGUAGE,
    stack: cleanStack(read(err, 'stack')),
    retryable: typeof own === 'boolean' ? own : RETRYABLE_BY_DEFAULT.has(code),
  };
  if (braid && err.details !== undefined) {
    rec.details = payload(encodeLoose(err.details));
  }
  let cause = read(err, 'cause');
  const errors = read(err, 'errors');
  if (Array.isArray(errors) && (err instanceof AggregateError || typeName(err) === 'AggregateError')) {
    if (!rec.details) {
      const listed = errors.slice(0, MAX_AGGREGATE_ERRORS).map((e) =>
        isError(e)
          ? { type: typeName(e), message: safeString(read(e, 'message') ?? '') }
          : { type: 'NonErrorRejection', message: safeString(e) },
      );
      rec.details = payload(encodeLoose(listed));
    }
    if (cause === undefined && errors.length > 0) cause = errors[0];
  }
  if (cause !== undefined && depth > 1) {
    rec.cause = record(cause, {}, depth - 1, 'NonErrorCause');
  }
  return rec;
}

function nonErrorRecord(value, type) {
  return {
    code: Code.APPLICATION,
    type,
    message: safeString(value),
    language: LANGUAGE,
    retryable: false,
    details: payload(encodeLoose(value)),
  };
}

/** True for Error objects, from any realm (DOMException included). */
export function isError(value) {
  return value instanceof Error || types.isNativeError(value);
}

/**
 * The stable type name of an error: `err.name`, or the constructor's name when a subclass
 * left `name` at `"Error"` (`class OutOfStock extends Error {}` -> `"OutOfStock"`).
 */
export function typeName(err) {
  let name = read(err, 'name');
  if (typeof name !== 'string' || !name) name = 'Error';
  if (name === 'Error') {
    const ctor = read(err, 'constructor');
    const ctorName = typeof ctor === 'function' ? ctor.name : undefined;
    if (typeof ctorName === 'string' && ctorName && ctorName !== 'Error') name = ctorName;
  }
  return name;
}

// A property read that survives throwing getters and proxies.
function read(obj, key) {
  try {
    return obj[key];
  } catch {
    return undefined;
  }
}

function safeString(value) {
  try {
    return String(value);
  } catch (e) {
    let what = 'value';
    try {
      what = typeof value;
    } catch {
      // keep 'value'
    }
    return `<String() of a ${what} failed: ${read(e, 'name') ?? 'error'}>`;
  }
}

const SRC_DIR = fileURLToPath(new URL('.', import.meta.url));
const SRC_URL = new URL('.', import.meta.url).href;
const FRAME = /^\s+at /;

/**
 * `stack` without the worker's own frames (and the AsyncLocalStorage frame it calls user
 * code through), so a stack ends in the user's code. A stack of nothing but worker frames (an
 * error of the worker itself) is kept whole.
 *
 * @param {unknown} stack
 * @returns {string}
 */
export function cleanStack(stack) {
  if (typeof stack !== 'string') return '';
  if (!stack.includes(SRC_DIR) && !stack.includes(SRC_URL)) return stack;
  const lines = stack.split('\n');
  let frames = 0;
  let dropped = 0;
  const kept = [];
  for (const line of lines) {
    if (FRAME.test(line)) {
      frames += 1;
      if (
        line.includes(SRC_URL) ||
        line.includes(SRC_DIR) ||
        line.includes('AsyncLocalStorage.run (node:async_hooks')
      ) {
        dropped += 1;
        continue;
      }
    }
    kept.push(line);
  }
  return dropped === frames ? stack : kept.join('\n');
}
