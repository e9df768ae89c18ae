// The race's Node side: a mirror of the price feed, fast today.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withContext } from '@braid/worker';

/**
 * The quote for `symbol` after `delayMs`. If the call is cancelled (it lost the race), writes
 * `mirror-cancelled` with the cancellation reason into the folder `markers`, when one is
 * given, and rejects with the abort reason.
 */
export const fetchQuote = withContext(async function fetchQuote(ctx, symbol, delayMs, markers) {
  try {
    await sleep(delayMs, undefined, { signal: ctx.signal });
  } catch (err) {
    if (ctx.signal.aborted && markers != null) {
      // Synchronous on purpose: the marker is on disk before the rejection reports the cancel.
      mkdirSync(markers, { recursive: true });
      writeFileSync(join(markers, 'mirror-cancelled'), ctx.signal.reason.message);
    }
    throw err;
  }
  return { symbol, price: 101.25, source: 'mirror' };
});
