// Type declarations for `@braid/worker`, the API a function running in a Braid Node worker can
// use (src/index.mjs). Checked by `npm test` (test/types.test.mjs runs tsc over test/types/).

/** The failure codes of a Braid failure record, the same in every language. */
export type FailureCode =
  | 'CANCELLED'
  | 'DEADLINE_EXCEEDED'
  | 'UNAVAILABLE'
  | 'RESOURCE_EXHAUSTED'
  | 'INVALID_ARGUMENT'
  | 'APPLICATION'
  | 'INTERNAL';

/** Why a call was cancelled: the wire names shared by every language. */
export type CancelReason =
  | 'cancelled'
  | 'deadline_exceeded'
  | 'sibling_failed'
  | 'race_lost'
  | 'parent_cancelled'
  | 'shutdown'
  | 'worker_lost'
  | 'heartbeat'
  | (string & {});

/** A JSON value: what arguments, results and stream items are. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A failure record as received from the gateway (a nested call's failure, with its causes). */
export interface BraidFailure {
  /** The code as its wire number; `BraidError.code` has its name. */
  code: number;
  type: string;
  message: string;
  /** `python`, `node` or `java`: where it was raised. */
  language: string;
  stack?: string;
  cause?: BraidFailure;
  retryable: boolean;
  reason?: string;
}

/** Options of a nested call made with `callWith`. */
export interface CallOptions {
  /** Sent as the call's keyword arguments: bound to the callee's parameters by name. */
  kwargs?: Record<string, unknown>;
  /** Milliseconds; the nested call gets the smaller of this and the running call's remaining time. */
  timeout?: number;
}

/**
 * The running call's context: `current()`, or the first argument of a function marked with
 * `withContext()`. Never passed in place of a data argument.
 */
export interface CallContext {
  /** The gateway's id of this call. */
  readonly callId: number;
  /** The function's reference as the worker knows it, e.g. `quote.mjs#quote`. */
  readonly function: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** The deadline as a `performance.now()` value in ms, or null without one. */
  readonly deadline: number | null;
  /** The same for every attempt of one workflow step (`RUN_ID/PATH`); null outside a run. */
  readonly idempotencyKey: string | null;
  /**
   * The value of secret `name`, one the workflow declared under `secrets:` (sent with each call,
   * never through the worker's environment). Keep it out of results, logs and errors: the gateway
   * masks a known value as `***`, but not a transformed one.
   *
   * @throws Error if the call was not given that secret
   */
  secret(name: string): string;
  /**
   * Aborted on cancel (an `AbortError` DOMException whose message is the reason) and at the
   * deadline (a `TimeoutError`). Pass it to every async API the function uses.
   */
  readonly signal: AbortSignal;
  /** True once the call was cancelled or its deadline passed. */
  readonly cancelled: boolean;
  /** Why the call was cancelled, or null while it was not. */
  readonly reason: CancelReason | null;
  /** Milliseconds until the deadline (never negative), or null without one. */
  remaining(): number | null;
  /** Records progress details; coalesced and throttled by the worker, never blocks. */
  heartbeat(details?: unknown): void;
  /** Calls another function (`python:...`, `node:...`, `java:...`) as a child of this call. */
  call<T = unknown>(ref: string, ...args: unknown[]): Promise<T>;
  /** Like `call`, with the arguments as an array and options. */
  callWith<T = unknown>(ref: string, args?: unknown[], options?: CallOptions): Promise<T>;
}

/**
 * The context of the call running in this async context.
 *
 * @throws Error outside a call (at module load, or in work not started from a call)
 */
export function current(): CallContext;

/**
 * Calls `ref` (a full reference with its language, e.g. `"python:pricing:tax"`) with positional
 * `args`, as a child of the running call. Rejects with a `BraidError` carrying the callee's
 * failure record; rejects outside a call.
 */
export function call<T = unknown>(ref: string, ...args: unknown[]): Promise<T>;

/** Like `call`, with the arguments as an array and options. */
export function callWith<T = unknown>(ref: string, args?: unknown[], options?: CallOptions): Promise<T>;

/**
 * Declares `fn` an error-first callback function: the worker calls `fn(...args, cb)` and settles
 * the call when `cb(err, value)` is called. Returns `fn`, marked.
 */
export function callback<F extends (...args: any[]) => void>(fn: F): F;

/**
 * Declares that `fn` takes its call's context as its first argument: the worker calls
 * `fn(ctx, ...args)`. Returns `fn`, marked.
 */
export function withContext<A extends unknown[], R>(
  fn: (ctx: CallContext, ...args: A) => R,
): (ctx: CallContext, ...args: A) => R;

/** Options of a `BraidError`: the failure record's fields a function may choose. */
export interface BraidErrorOptions {
  /** Default `APPLICATION`. */
  code?: FailureCode;
  /** The record's type; default the error's class name. */
  type?: string;
  /** Default: true for `UNAVAILABLE` and `RESOURCE_EXHAUSTED`-like codes, see the docs. */
  retryable?: boolean;
  /** Any JSON value, sent as the record's details. */
  details?: unknown;
  cause?: unknown;
}

/**
 * An error a function throws to choose its failure record; also what a failed nested call
 * rejects with (then `language`, `remoteStack`, `reason` and `failure` are set).
 */
export class BraidError extends Error {
  constructor(message: string, options?: BraidErrorOptions);
  code: FailureCode;
  type: string | null;
  retryable: boolean;
  details: unknown;
  /** Where a remote failure was raised; null for an error thrown here. */
  language: string | null;
  /** The cancel reason of a remote cancellation, else empty. */
  reason: string;
  /** The remote stack trace, or null. */
  remoteStack: string | null;
  /** The record a remote failure came from, or null. */
  failure: BraidFailure | null;
}
