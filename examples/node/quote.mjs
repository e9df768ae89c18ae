import { withContext } from '@braid/worker';
// Example Node functions for `braid call`:
//   ./braid call node:quote.mjs#quote '"tea"' 3 --node-path examples/node
//   ./braid call node:quote.mjs#taxed '"mug"' --node-path examples/node --python-path examples/python
// The call context is the last argument: its signal aborts on cancel or deadline.

const PRICES = { tea: 4.5, mug: 12.0, kettle: 39.9, honey: 7.25 };

function lookup(sku, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      if (!(sku in PRICES)) reject(new RangeError(`unknown sku ${JSON.stringify(sku)}`));
      else resolve(PRICES[sku]);
    }, 10);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Price of `qty` units of `sku`, looked up asynchronously (honours cancellation). */
export const quote = withContext(async function quote(ctx, sku, qty) {
  const price = await lookup(sku, ctx.signal);
  return { sku, qty, amount: Math.round(price * qty * 100) / 100 };
});

/** Node calls Python: the line amount plus tax computed by python:pricing:quote. */
export const taxed = withContext(async function taxed(ctx, sku) {
  const q = await ctx.call('python:pricing:quote', [{ sku, qty: 1 }]);
  return { sku, total: q.total, priced_by: 'python', asked_by: 'node' };
});
