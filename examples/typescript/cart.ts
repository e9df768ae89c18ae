// Prices a cart. Imports another TypeScript module and the typed @braid/worker API; takes its
// context as the first argument (withContext), so the signal aborts the simulated lookup on a
// cancel or the deadline.
import { withContext, type CallContext } from '@braid/worker';
import { priceOf, type Line } from './prices.ts';

export interface Item {
  sku: string;
  qty: number;
}

export const priceCart = withContext(
  async (ctx: CallContext, items: Item[], currency: string): Promise<{ total: number; lines: Line[] }> => {
    const lines: Line[] = [];
    for (const item of items) {
      lines.push(await priceOf(item.sku, item.qty, currency, ctx.signal));
      ctx.heartbeat({ priced: lines.length });
    }
    const total = lines.reduce((sum, line) => sum + line.amount, 0);
    return { total: Math.round(total * 100) / 100, lines };
  },
);
