// Labels one tick: the Node half of the example workflow.
export async function label(tick, ctx) {
  ctx.signal.throwIfAborted();
  return `tick ${tick}`;
}
