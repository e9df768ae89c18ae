// The circuit breaker's Node side: an inventory service that is down.
import { setTimeout as sleep } from 'node:timers/promises';
import { withContext } from '@braid/worker';

// Real invocations since the last report. Calls refused by an open circuit never get here,
// which is the point: the count shows how much load the breaker kept off the broken service.
let invocations = 0;

/** Looks up the stock of `sku`; always fails, after a (simulated) network round trip. */
export const stockLevel = withContext(async function stockLevel(ctx, sku) {
  invocations += 1;
  await sleep(20, undefined, { signal: ctx.signal });
  throw new Error(`inventory service: connection reset while reading ${sku}`);
});

/**
 * Sums up the settled outcomes of the lookups: each one's code (or `ok`) and message, and
 * how many calls really reached `stockLevel`. Resets the count, so each run reports its own.
 */
export async function report(outcomes) {
  const result = {
    invocations,
    codes: outcomes.map((o) => (o.status === 'ok' ? 'ok' : o.error.code)),
    messages: outcomes.map((o) => (o.status === 'ok' ? null : o.error.message)),
  };
  invocations = 0;
  return result;
}
