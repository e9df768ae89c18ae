// The fan-out's Node side: five (simulated) feeds, two of which misbehave.
import { setTimeout as sleep } from 'node:timers/promises';
import { BraidError, withContext } from '@braid/worker';

// How long each feed takes and what it answers. `stocks` hangs far past any sane timeout;
// `sports` answers quickly, with an error.
const FEEDS = {
  news: { ms: 30, body: { headlines: 12 } },
  weather: { ms: 20, body: { forecast: 'sunny', high: 24 } },
  stocks: { ms: 10000, body: { index: 4321.5 } },
  sports: { ms: 10, status: 503 },
  traffic: { ms: 40, body: { jams: 3 } },
};

/** Fetches one feed by name. Rejects UNAVAILABLE when the feed answers with a 5xx. */
export const fetchFeed = withContext(async function fetchFeed(ctx, name) {
  const feed = FEEDS[name];
  if (feed === undefined) throw new RangeError(`unknown feed ${JSON.stringify(name)}`);
  // The step's timeout aborts the signal: the hanging feed ends here with DEADLINE_EXCEEDED
  // instead of running on after the workflow stopped waiting for it.
  await sleep(feed.ms, undefined, { signal: ctx.signal });
  if (feed.status >= 500) {
    throw new BraidError(`${name} feed answered HTTP ${feed.status}`, { code: 'UNAVAILABLE' });
  }
  return feed.body;
});
