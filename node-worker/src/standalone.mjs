/**
 * A standalone worker: `node bin/braid-worker.mjs --connect HOST:PORT --pool NAME ...`.
 *
 * It dials a gateway's worker listener (`braid serve --worker-listen`) from any machine,
 * presents its pool's token in Hello, registers the catalog of its preloaded modules, and
 * serves calls until it is stopped (SIGTERM or SIGINT: a graceful shutdown, then exit 0). When
 * the link breaks or the gateway goes away or shuts down, calls in flight are aborted with
 * `worker_lost` and the worker dials again with exponential backoff and full jitter, so a
 * fleet that lost its gateway does not reconnect in lockstep.
 *
 * @module
 */

import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_IN_FLIGHT } from './config.mjs';
import { log, setLevel } from './log.mjs';
import { Resolver } from './resolve.mjs';
import { Worker, SHUTDOWN } from './worker.mjs';

export const EXIT_OK = 0;
export const EXIT_CONFIG = 2;
export const EXIT_REFUSED = 3;
const MAX_TOKEN_FILE_BYTES = 4096;
const SHUTDOWN_GRACE_MS = 2000;
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 10_000;

export const USAGE = `usage: node bin/braid-worker.mjs --connect HOST:PORT --pool NAME --token-file FILE
       [--tls-ca FILE] [--tls-cert FILE --tls-key FILE] [--max-in-flight N]
       [--preload FILE]... [--root DIR]... [--name NAME] [--keepalive SECONDS] [--log-level L]

Serve Node functions to a Braid gateway's worker listener (braid serve --worker-listen).
  --connect HOST:PORT  the gateway's worker listener
  --pool NAME          the pool this worker serves (node@NAME:file.mjs#fn)
  --token-file FILE    a file whose first line is the pool's bearer token
  --tls-ca FILE        CA (PEM) the gateway's certificate must chain to; without it, TLS with
                       the system's roots, or plaintext when HOST is loopback
  --tls-cert/--tls-key this worker's certificate and key (PEM), for mutual TLS
  --max-in-flight N    most calls open at once (default ${DEFAULT_MAX_IN_FLIGHT})
  --preload FILE       import FILE at start; its exports form the catalog (repeatable)
  --root DIR           only modules under DIR may be called (repeatable; default: the cwd)
  --name NAME          this worker's name in the gateway's logs (default: host name and pid)
  --keepalive SECONDS  HTTP/2 keepalive interval and timeout (default 10)`;

/** A bad flag or an unreadable file; the message names it. */
export class UsageError extends Error {
  name = 'UsageError';
}

/**
 * The config of a standalone worker from its command line.
 *
 * @param {string[]} argv the arguments after the script
 * @param {string} [cwd]
 * @returns {import('./config.mjs').Config & {pool: string, tls: object | null, keepaliveMs: number}}
 * @throws {UsageError}
 */
export function parseStandaloneArgs(argv, cwd = process.cwd()) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        connect: { type: 'string' },
        pool: { type: 'string' },
        'token-file': { type: 'string' },
        'tls-ca': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'max-in-flight': { type: 'string' },
        preload: { type: 'string', multiple: true },
        root: { type: 'string', multiple: true },
        name: { type: 'string' },
        keepalive: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new UsageError(e.message);
  }
  if (values.help) throw new UsageError(USAGE, { cause: 'help' });
  for (const required of ['connect', 'pool', 'token-file']) {
    if (!values[required]) throw new UsageError(`--${required} is required\n${USAGE}`);
  }
  const host = hostOf(values.connect);
  const maxInFlight = intFlag(values['max-in-flight'], '--max-in-flight', DEFAULT_MAX_IN_FLIGHT);
  const keepalive = Number(values.keepalive ?? '10');
  if (!(keepalive >= 1)) throw new UsageError(`--keepalive < 1: ${values.keepalive}`);
  if (!values['tls-cert'] !== !values['tls-key']) throw new UsageError('--tls-cert and --tls-key go together');
  let tls = null;
  if (values['tls-ca'] || values['tls-cert'] || !isLoopback(host)) {
    tls = {
      ca: readFlag(values['tls-ca'], '--tls-ca'),
      cert: readFlag(values['tls-cert'], '--tls-cert'),
      key: readFlag(values['tls-key'], '--tls-key'),
    };
  }
  const roots = (values.root ?? []).map((d) => path.resolve(cwd, d));
  if (roots.length === 0) roots.push(cwd);
  return {
    target: values.connect,
    workerId: values.name || `${hostname()}-${process.pid}`,
    token: token(values['token-file']),
    maxInFlight,
    nodePath: [...roots],
    roots,
    preload: values.preload ?? [],
    logLevel: values['log-level'] ?? 'info',
    pool: values.pool,
    tls,
    keepaliveMs: Math.round(keepalive * 1000),
  };
}

function hostOf(hostPort) {
  const m = /^(.+):(\d+)$/.exec(hostPort);
  if (!m) throw new UsageError(`--connect is not HOST:PORT: '${hostPort}'`);
  return m[1].replace(/^\[(.*)\]$/, '$1');
}

function isLoopback(host) {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

function intFlag(raw, name, fallback) {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`${name} < 1 or not an integer: '${raw}'`);
  return Number(raw);
}

function readFlag(file, flag) {
  if (!file) return null;
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file}: ${e.code ?? e.message}`);
  }
}

function token(file) {
  let size;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new UsageError(`--token-file: cannot read ${file}: ${e.code ?? e.message}`);
  }
  if (size > MAX_TOKEN_FILE_BYTES) throw new UsageError(`--token-file ${file} is over ${MAX_TOKEN_FILE_BYTES} bytes`);
  for (const line of readFlag(file, '--token-file').toString('utf8').split('\n')) {
    const t = line.trim();
    if (t && !t.startsWith('#')) return t;
  }
  throw new UsageError(`--token-file ${file} holds no token`);
}

/** Full jitter: uniform in [0, min(max, first * 2^attempt)] ms. */
export function backoffMs(attempt, random = Math.random) {
  return random() * Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(attempt, 20));
}

/**
 * Dials, serves, and dials again until SIGTERM/SIGINT; resolves to the exit code: 0 after a
 * stop, 2 for a bad flag, 3 when the gateway refused the worker (a wrong token).
 *
 * @param {string[]} argv
 * @returns {Promise<number>}
 */
export async function runStandalone(argv) {
  let config;
  try {
    config = parseStandaloneArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.cause === 'help') {
      process.stdout.write(`${e.message}\n`);
      return EXIT_OK;
    }
    log.error(e.message);
    return EXIT_CONFIG;
  }
  setLevel(config.logLevel);
  const resolver = new Resolver(config.nodePath, config.roots);
  let stopping = false;
  let worker = null;
  let wake = null;
  const stop = () => {
    stopping = true;
    worker?.requestShutdown(SHUTDOWN_GRACE_MS, SHUTDOWN);
    wake?.();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  let failures = 0;
  while (!stopping) {
    worker = new Worker(config, { resolver });
    await worker.serve();
    const { welcomed, refused } = worker;
    worker = null;
    if (stopping) break;
    if (refused) {
      log.error(`the gateway at ${config.target} refused this worker (wrong token for pool ${config.pool}?); exiting`);
      return EXIT_REFUSED;
    }
    // a connection that was welcomed worked: start the backoff over
    failures = welcomed ? 0 : failures + 1;
    const delay = backoffMs(failures);
    log.info(`reconnecting to ${config.target} in ${(delay / 1000).toFixed(2)}s`);
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, delay);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = null;
  }
  return EXIT_OK;
}
