// Labels one tick: the Node half of the example workflow.
import { withContext } from '@braid/worker';

export const label = withContext(async function label(ctx, tick) {
  ctx.signal.throwIfAborted();
  return `tick ${tick}`;
});
