// Compiled (not run) by test/types.test.mjs: every part of the declared API used as documented,
// and misuses that must not compile (each `@ts-expect-error` fails the check if tsc accepts it).
import { BraidError, call, callWith, callback, current, withContext, type CallContext } from '@braid/worker';

export async function quote(sku: string, qty = 1): Promise<{ sku: string; total: number }> {
  const ctx: CallContext = current();
  ctx.heartbeat({ sku });
  const left: number | null = ctx.remaining();
  if (ctx.cancelled) throw new BraidError(`cancelled: ${ctx.reason ?? ''}`, { code: 'CANCELLED' });
  const price = await call<number>('python:pricing:price', sku);
  const tax = await callWith<number>('python:pricing:tax', [price], { kwargs: { region: 'EU' }, timeout: left ?? 1000 });
  await new Promise((resolve) => setTimeout(resolve, 1)).then(() => ctx.signal.throwIfAborted());
  return { sku, total: price * qty + tax };
}

export const lookup = withContext(async (ctx, sku: string) => {
  const key: string | null = ctx.idempotencyKey;
  const token: string = ctx.secret('PRICING_TOKEN');
  return { sku, authorized: token.length > 0, attempt: ctx.attempt, key, nested: await ctx.call<string>('node:other.mjs#f', sku) };
});

export const legacy = callback((name: string, cb: (err: Error | null, value?: string) => void) => {
  cb(null, name);
});

export async function failing(): Promise<never> {
  try {
    await call('python:missing:f');
  } catch (e) {
    if (e instanceof BraidError) {
      const where: string | null = e.language;
      throw new BraidError(`nested failed in ${where}`, { code: 'UNAVAILABLE', details: { failure: e.failure }, cause: e });
    }
  }
  throw new BraidError('unreachable');
}

export function misuses(): void {
  // @ts-expect-error: not a failure code
  new BraidError('x', { code: 'NOT_A_CODE' });
  // @ts-expect-error: withContext's function takes the context first
  withContext((sku: string) => sku);
  // @ts-expect-error: the context is read-only
  current().attempt = 2;
  // @ts-expect-error: a secret is named by a string
  current().secret(1);
}
