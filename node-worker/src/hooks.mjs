/**
 * Module resolve hook (registered by main.mjs with `module.register`): maps the bare
 * specifier `@braid/worker` to this package's index.mjs for user modules anywhere on disk,
 * which have no node_modules that could contain it.
 *
 * The URL is exactly the one main.mjs imports, so user modules get the SAME module
 * instance as the worker - and `current()` sees the worker's AsyncLocalStorage. Resolving the
 * specifier also tells the main thread that the API is in use (see context.mjs `apiInUse`).
 *
 * @module
 */

const SPECIFIER = '@braid/worker';
let indexUrl = new URL('./index.mjs', import.meta.url).href;
/** @type {Int32Array | null} context.mjs `apiInUse`, shared with the main thread */
let apiInUse = null;

/** @param {{indexUrl?: string, apiInUse?: Int32Array} | undefined} data */
export async function initialize(data) {
  if (data?.indexUrl) indexUrl = data.indexUrl;
  if (data?.apiInUse) apiInUse = data.apiInUse;
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === SPECIFIER) {
    // Stored before the importing module can run (it is still being linked), so the main
    // thread sees it before any of that module's functions is called.
    if (apiInUse !== null) Atomics.store(apiInUse, 0, 1);
    return { url: indexUrl, shortCircuit: true, format: 'module' };
  }
  return nextResolve(specifier, context);
}
