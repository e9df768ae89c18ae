// The dashboard's Node side: a user's recent orders from a (simulated) order service.
import { setTimeout as sleep } from 'node:timers/promises';
import { withContext } from '@braid/worker';

/** The last three orders of `userId`, newest first; derived from the id, so reproducible. */
export const recentOrders = withContext(async function recentOrders(ctx, userId) {
  // With the signal, a cancel or the deadline aborts the wait at once instead of leaving a
  // timer running for a result nobody will read.
  await sleep(40, undefined, { signal: ctx.signal });
  return [0, 1, 2].map((i) => ({
    id: `${userId}-${100 - i}`,
    total: ((userId * 7 + i * 13) % 90) + 10,
  }));
});
