// Conformance fixtures (Node). Same names and semantics as conf.py and ConfFuncs.java.
// The call context is the last argument; nested calls go through it.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withContext } from '@braid/worker';

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

export const sleep_marked = withContext(async function sleep_marked(ctx, folder, seconds) {
  mark(folder, 'started');
  try {
    await sleep(seconds * 1000, ctx.signal);
    mark(folder, 'finished');
    return 'finished';
  } catch (e) {
    if (ctx.signal.aborted) mark(folder, 'cancelled', ctx.reason ?? '');
    throw e;
  }
});

export const slow_cleanup = withContext(async function slow_cleanup(ctx, folder, seconds) {
  mark(folder, 'started');
  try {
    await sleep(60_000, ctx.signal);
  } catch (e) {
    await sleep(seconds * 1000);
    mark(folder, 'cleaned');
    throw e;
  }
});

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

export const call_nested = withContext(async function call_nested(ctx, ref, arg) {
  return ctx.call(ref, arg);
});

export const relay_marked = withContext(async function relay_marked(ctx, folder, ref, args) {
  mark(folder, 'started');
  try {
    return await ctx.call(ref, ...args);
  } catch (e) {
    if (ctx.signal.aborted) mark(folder, 'cancelled', ctx.reason ?? '');
    throw e;
  }
});

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

export const call_nested_nan = withContext(async function call_nested_nan(ctx, ref) {
  return ctx.call(ref, { a: [NaN] });
});

export const fail_before_attempt = withContext(async function fail_before_attempt(ctx, n) {
  if (ctx.attempt < n) {
    throw new Error(`attempt ${ctx.attempt} of ${n}`);
  }
  return ctx.attempt;
});

/** Writes its idempotency key to attempt-<attempt>; fails until attempt n, then returns n. */
export const keyed_attempt = withContext(async function keyed_attempt(ctx, folder, n) {
  mark(folder, `attempt-${ctx.attempt}`, ctx.idempotencyKey ?? '');
  if (ctx.attempt < n) {
    throw new Error(`attempt ${ctx.attempt} of ${n}`);
  }
  return ctx.attempt;
});

/** The value of secret `name` from the call's context; the error's message if not given. */
export const secret_of = withContext(async function secret_of(ctx, name) {
  try {
    return ctx.secret(name);
  } catch (e) {
    return `missing: ${e.message}`;
  }
});
