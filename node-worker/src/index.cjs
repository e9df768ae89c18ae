'use strict';
// `require('@braid/worker')` from a CommonJS user module. Node 20 cannot require() an ES
// module, so this returns the API object index.mjs published when the worker loaded it:
// the same functions, the same AsyncLocalStorage.
const api = globalThis[Symbol.for('braid.worker.api')];
if (api === undefined) {
  throw new Error('@braid/worker can only be required inside a Braid worker process');
}
module.exports = api;
