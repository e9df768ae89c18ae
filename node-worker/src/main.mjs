#!/usr/bin/env node
/**
 * Process entry point: `node src/main.mjs`, started by the gateway with a cleared
 * environment (see config.mjs for the `BRAID_*` variables).
 *
 * Sets the process up the way the gateway expects - SIGINT ignored (the gateway owns Ctrl-C
 * and sends Cancel frames), SIGTERM = Shutdown with a 2 s grace, a parent watchdog,
 * `@braid/worker` importable from user modules anywhere - then serves until the gateway lets
 * go, and exits: 0 orderly, 1 gateway unreachable or lost, 2 bad configuration.
 *
 * @module
 */

import { readSync } from 'node:fs';
import Module, { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ConfigError, configFromEnv, scrubSecrets } from './config.mjs';
import { apiInUse } from './context.mjs';
import { log, setLevel } from './log.mjs';
import './index.mjs'; // the API instance user modules get (see hooks.mjs)
import { startParentWatchdog } from './watchdog.mjs';
import { Worker, SHUTDOWN } from './worker.mjs';

const SIGTERM_GRACE_MS = 2000;
const EXIT_CONFIG = 2;

process.on('SIGINT', () => {});

// ES modules: a resolve hook. The URL must be the one imported above, so that user modules
// share this instance (and its AsyncLocalStorage) instead of loading a second copy.
register('./hooks.mjs', import.meta.url, {
  data: { indexUrl: new URL('./index.mjs', import.meta.url).href, apiInUse },
});
// CommonJS modules: require() does not go through the hooks in Node 20; route the one
// specifier to index.cjs, which hands out the same API object.
const cjsEntry = fileURLToPath(new URL('./index.cjs', import.meta.url));
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function braidResolveFilename(request, ...rest) {
  return request === '@braid/worker' ? cjsEntry : resolveFilename.call(this, request, ...rest);
};

// User code must not be able to take the whole worker (and every other call) down.
process.on('unhandledRejection', (reason) => {
  log.warning(`unhandled promise rejection: ${describe(reason)}`);
});
process.on('uncaughtException', (err) => {
  log.error(`uncaught exception: ${describe(err)}`);
});

// Flags mean a standalone worker that dials a gateway (--connect); none, a child the gateway
// started and configured through BRAID_* variables.
if (process.argv.length > 2) {
  const { runStandalone } = await import('./standalone.mjs');
  process.exit(await runStandalone(process.argv.slice(2)));
}

let config;
try {
  config = configFromEnv();
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  log.error(`bad configuration: ${e.message}`);
  process.exit(EXIT_CONFIG);
}
if (!config.token && process.env.BRAID_TOKEN_STDIN === '1') config.token = tokenFromStdin();
// the token is in the config now; user modules are imported only later (preload, calls)
scrubSecrets();
setLevel(config.logLevel);

startParentWatchdog();
const worker = new Worker(config);
process.on('SIGTERM', () => worker.requestShutdown(SIGTERM_GRACE_MS, SHUTDOWN));
let code;
try {
  code = await worker.serve();
} catch (e) {
  // e.g. a BRAID_TARGET grpc-js cannot parse
  log.error(`cannot start the worker: ${describe(e)}`);
  code = 1;
}
process.exit(code);

/**
 * The gateway sends the hub token as stdin's first line (`BRAID_TOKEN_STDIN=1`), so it never sits
 * in the process's initial environment (`/proc/self/environ`). Reads at most 1 KiB, synchronously:
 * the gateway wrote the line and closed the pipe before this runs.
 */
function tokenFromStdin() {
  const buf = Buffer.alloc(1024);
  let n = 0;
  try {
    while (n < buf.length) {
      const got = readSync(0, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (buf.subarray(0, n).includes(0x0a)) break;
    }
  } catch (e) {
    log.error(`cannot read the token from stdin: ${describe(e)}`);
  }
  return buf.subarray(0, n).toString('utf8').split('\n')[0].trim();
}

function describe(value) {
  try {
    return value instanceof Error ? (value.stack ?? `${value.name}: ${value.message}`) : String(value);
  } catch {
    return '<unprintable>';
  }
}
