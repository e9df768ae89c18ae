// Functions the benchmark calls through Braid (`node:bench.mjs#<name>`), the Node twin of
// ../python/braid_bench.py.
//
// This module deliberately does not import `@braid/worker`: a function takes its context as
// its last argument. (Importing the API switches AsyncLocalStorage on for every call, which on
// Node 20 costs every round trip tens of microseconds; see node-worker/README.md.)
//
// Cancellation latency needs a clock both sides read: `sleepUntilCancelled` stamps the moment
// its abortable sleep rejects with `process.hrtime.bigint()` (CLOCK_MONOTONIC on Linux, the
// clock behind Java's System.nanoTime()), and the bench fetches the stamps afterwards with
// `takeCancelStamps`. The stamps live in this worker process: the bench runs one Node worker.
import { setTimeout as sleep } from 'node:timers/promises';
import { withContext } from '@braid/worker';

/** @type {Map<number, bigint>} */
const cancelStamps = new Map();

/** The trivial async function every figure is about. */
export async function echo(x) {
  return x;
}

const MAX_TIMINGS = 100_000;
/** @type {number[]} */
const nestedNs = [];

/**
 * Java -> Node -> Python: a nested call through the gateway. Records how long the `ctx.call`
 * took as seen from Node (fetched with `takeNestedTimings`).
 */
export const echoViaPython = withContext(async function echoViaPython(ctx, x) {
  const t0 = process.hrtime.bigint();
  const result = await ctx.call('python:braid_bench:echo', x);
  if (nestedNs.length < MAX_TIMINGS) nestedNs.push(Number(process.hrtime.bigint() - t0));
  return result;
});

/** Nanoseconds each `ctx.call` above took; forgets them. */
export async function takeNestedTimings() {
  return nestedNs.splice(0, nestedNs.length);
}

/** Sleeps; when the call's signal aborts, records when the sleep rejected, and rethrows. */
export const sleepUntilCancelled = withContext(async function sleepUntilCancelled(ctx, seq, seconds) {
  try {
    await sleep(seconds * 1000, undefined, { signal: ctx.signal });
  } catch (e) {
    if (e?.name === 'AbortError') cancelStamps.set(seq, process.hrtime.bigint());
    throw e;
  }
  return 'not cancelled';
});

/** `{seq: "<hrtime ns>"}` of every cancel recorded so far (as strings: JSON has no BigInt); forgets them. */
export async function takeCancelStamps() {
  const out = {};
  for (const [seq, ns] of cancelStamps) out[String(seq)] = ns.toString();
  cancelStamps.clear();
  return out;
}
