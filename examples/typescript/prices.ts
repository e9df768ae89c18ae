// The price list of the TypeScript example, behind a (simulated) price service.
import { setTimeout as sleep } from 'node:timers/promises';

export interface Line {
  sku: string;
  qty: number;
  amount: number;
  currency: string;
}

const PRICES: Record<string, number> = { tea: 4.5, mug: 7.25, kettle: 29.0 };

export async function priceOf(sku: string, qty: number, currency: string, signal: AbortSignal): Promise<Line> {
  await sleep(5, undefined, { signal });
  const unit = PRICES[sku];
  if (unit === undefined) throw new RangeError(`unknown sku ${JSON.stringify(sku)}`);
  return { sku, qty, amount: unit * qty, currency };
}
