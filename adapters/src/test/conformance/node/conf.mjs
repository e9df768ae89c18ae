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
