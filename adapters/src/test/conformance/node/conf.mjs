// Conformance fixtures (Node). Same names and semantics as conf.py and ConfFuncs.java.
// The call context is the last argument; nested calls go through it.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function mark(folder, name, text = '') {
  writeFileSync(join(folder, name + '.tmp'), text);
  renameSync(join(folder, name + '.tmp'), join(folder, name));
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function echo(x) {
  return x;
}

export async function fail(message) {
  throw new TypeError(message, { cause: new RangeError('inner') });
}

export async function sleep_marked(folder, seconds, ctx) {
  mark(folder, 'started');
  try {
    await sleep(seconds * 1000, ctx.signal);
    mark(folder, 'finished');
    return 'finished';
  } catch (e) {
    if (ctx.signal.aborted) mark(folder, 'cancelled', ctx.reason ?? '');
    throw e;
  }
}

export async function slow_cleanup(folder, seconds, ctx) {
  mark(folder, 'started');
  try {
    await sleep(60_000, ctx.signal);
  } catch (e) {
    await sleep(seconds * 1000);
    mark(folder, 'cleaned');
    throw e;
  }
}

export async function ignore_cancel(folder, seconds) {
  mark(folder, 'started');
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) await sleep(20);
  mark(folder, 'finished');
  return 'ignored';
}

export async function block(seconds) {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    // a busy loop: the event loop cannot run, so pings go unanswered
  }
  return 'unblocked';
}

export async function sleep_then(seconds, value) {
  await sleep(seconds * 1000);
  return value;
}

export async function pid() {
  return process.pid;
}

let producedCount = 0;

export async function* count(n) {
  producedCount = 0;
  for (let i = 0; i < n; i++) {
    producedCount = i + 1;
    yield i;
  }
}

export async function produced() {
  return producedCount;
}

export async function call_nested(ref, arg, ctx) {
  return ctx.call(ref, arg);
}

export async function relay_marked(folder, ref, args, ctx) {
  mark(folder, 'started');
  try {
    return await ctx.call(ref, ...args);
  } catch (e) {
    if (ctx.signal.aborted) mark(folder, 'cancelled', ctx.reason ?? '');
    throw e;
  }
}

// -- the JSON rule: values that cannot be sent (same shapes in every language) ----------------

function bad(kind) {
  switch (kind) {
    case 'nan':
      return NaN;
    case 'inf':
      return Infinity;
    case 'neg_inf':
      return -Infinity;
    case 'no_form':
      return 1n; // a BigInt
    case 'bytes':
      return Buffer.from([0, 1]);
    case 'undefined':
      return [undefined];
    case 'deep': {
      let v = 0;
      for (let i = 0; i < 1001; i++) v = [v];
      return v;
    }
    default:
      throw new Error(kind);
  }
}

/** {items: [{price: 1}, {price: BAD}]}: the bad value is always at $.items[1].price. */
export async function unjson(kind) {
  const second = {};
  const root = { items: [{ price: 1 }, second] };
  second.price = kind === 'cycle' ? root : bad(kind);
  return root;
}

export async function nothing() {}

export async function big(n) {
  return 'x'.repeat(n);
}

export async function* bad_stream() {
  yield 1;
  yield NaN;
}

export async function call_nested_nan(ref, ctx) {
  return ctx.call(ref, { a: [NaN] });
}

export async function fail_before_attempt(n, ctx) {
  if (ctx.attempt < n) {
    throw new Error(`attempt ${ctx.attempt} of ${n}`);
  }
  return ctx.attempt;
}

/** Writes its idempotency key to attempt-<attempt>; fails until attempt n, then returns n. */
export async function keyed_attempt(folder, n, ctx) {
  mark(folder, `attempt-${ctx.attempt}`, ctx.idempotencyKey ?? '');
  if (ctx.attempt < n) {
    throw new Error(`attempt ${ctx.attempt} of ${n}`);
  }
  return ctx.attempt;
}

/** The value of secret `name` from the call's context; the error's message if not given. */
export async function secret_of(name, ctx) {
  try {
    return ctx.secret(name);
  } catch (e) {
    return `missing: ${e.message}`;
  }
}
