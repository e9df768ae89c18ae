// Functions the workflow engine tests call in a real Node worker. Markers are written
// atomically into a folder the test passes in. The call context is the last argument.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { current, withContext } from '@braid/worker';

function mark(folder, name, text = '') {
  writeFileSync(join(folder, name + '.tmp'), text);
  renameSync(join(folder, name + '.tmp'), join(folder, name));
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function echo(x) {
  return x;
}

/** Sleeps; writes `started`, and `cancelled` with the reason when aborted. */
export const sleep_marked = withContext(async function sleep_marked(ctx, folder, seconds, prefix) {
  mark(folder, prefix + 'started');
  try {
    await sleep(seconds * 1000, ctx.signal);
    return 'slept';
  } catch (e) {
    if (ctx.signal.aborted) mark(folder, prefix + 'cancelled', ctx.reason ?? '');
    throw e;
  }
});

export async function secretOf(name) {
  return current().secret(name);
}
