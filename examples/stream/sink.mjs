// The stream's Node side: a (simulated) warehouse that stores batches of records.
import { setTimeout as sleep } from 'node:timers/promises';
import { withContext } from '@braid/worker';

/** Stores one batch; resolves with what was stored. Aborts with the call on cancel. */
export const store = withContext(async function store(ctx, batch) {
  await sleep(30, undefined, { signal: ctx.signal });
  const cents = batch.records.reduce((sum, r) => sum + r.cents, 0);
  return { batch: batch.batch, records: batch.records.length, cents };
});

/** Adds up the results of `store`. */
export async function totals(stored) {
  return {
    batches: stored.length,
    records: stored.reduce((sum, s) => sum + s.records, 0),
    cents: stored.reduce((sum, s) => sum + s.cents, 0),
  };
}
