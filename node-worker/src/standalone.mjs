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
import { lookup } from 'node:dns/promises';
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
/** How often the names of --connect are resolved again (gateways joining behind a name). */
const RESOLVE_INTERVAL_MS = 30_000;

export const USAGE = `usage: node bin/braid-worker.mjs --connect HOST:PORT[,HOST:PORT...] --pool NAME --token-file FILE
       [--tls-ca FILE] [--tls-cert FILE --tls-key FILE] [--max-in-flight N]
       [--preload FILE]... [--root DIR]... [--name NAME] [--keepalive SECONDS] [--log-level L]

Serve Node functions to a Braid gateway's worker listener (braid serve --worker-listen).
  --connect HOST:PORT  the gateways' worker listeners, comma-separated; a name that resolves to
                       several addresses means one stream to each, --max-in-flight split
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
  const hosts = values.connect.split(',').map((entry) => hostOf(entry.trim()));
  const maxInFlight = intFlag(values['max-in-flight'], '--max-in-flight', DEFAULT_MAX_IN_FLIGHT);
  const keepalive = Number(values.keepalive ?? '10');
  if (!(keepalive >= 1)) throw new UsageError(`--keepalive < 1: ${values.keepalive}`);
  if (!values['tls-cert'] !== !values['tls-key']) throw new UsageError('--tls-cert and --tls-key go together');
  let tls = null;
  if (values['tls-ca'] || values['tls-cert'] || !hosts.every(isLoopback)) {
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
  const workers = new Set();
  const sessions = new Map();
  let current = new Set();
  let stopping = false;
  let refused = false;
  /** @type {Set<() => void>} */
  const sleepers = new Set();
  const stop = () => {
    stopping = true;
    for (const w of workers) w.requestShutdown(SHUTDOWN_GRACE_MS, SHUTDOWN);
    for (const wake of [...sleepers]) wake();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const sleep = (ms) =>
    new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  // one session per gateway address, each with its share of max_in_flight and its own backoff
  const session = async (gateway) => {
    let failures = 0;
    try {
      while (!stopping && current.has(gateway.address)) {
        const worker = new Worker(
          {
            ...config,
            target: gateway.address,
            serverName: gateway.serverName,
            maxInFlight: split(config.maxInFlight, current.size),
          },
          { resolver },
        );
        workers.add(worker);
        try {
          await worker.serve();
        } finally {
          workers.delete(worker);
        }
        if (stopping) return;
        if (worker.refused) {
          log.error(`the gateway at ${gateway.address} refused this worker (wrong token for pool ${config.pool}?); exiting`);
          refused = true;
          stop();
          return;
        }
        // a connection that was welcomed worked: start the backoff over
        failures = worker.welcomed ? 0 : failures + 1;
        const delay = backoffMs(failures);
        log.info(`reconnecting to ${gateway.address} in ${(delay / 1000).toFixed(2)}s`);
        await sleep(delay);
      }
    } finally {
      sessions.delete(gateway.address);
    }
  };

  let failures = 0;
  while (!stopping) {
    let gateways = [];
    try {
      gateways = await resolveGateways(config.target);
      failures = 0;
    } catch (e) {
      failures += 1;
      log.error(`cannot resolve ${config.target}: ${e.message}`);
    }
    if (gateways.length > 0) current = new Set(gateways.map((g) => g.address));
    for (const g of gateways) {
      if (!sessions.has(g.address)) sessions.set(g.address, session(g));
    }
    await sleep(gateways.length > 0 ? RESOLVE_INTERVAL_MS : backoffMs(failures));
  }
  await Promise.all([...sessions.values()]);
  return refused ? EXIT_REFUSED : EXIT_OK;
}

/** Each stream's share of max_in_flight: `max // streams`, at least 1. */
export function split(maxInFlight, streams) {
  return Math.max(1, Math.floor(maxInFlight / Math.max(1, streams)));
}

/**
 * Every gateway `target` names (comma-separated HOST:PORT): a name resolves to all its
 * addresses (one stream to each, as behind a Kubernetes headless Service), an IP literal or
 * localhost stays as given. Rejects when a name does not resolve.
 *
 * @param {string} target
 * @returns {Promise<{address: string, serverName: string}[]>}
 */
export async function resolveGateways(target) {
  const out = new Map();
  for (const raw of target.split(',')) {
    const entry = raw.trim();
    const m = /^(.+):(\d+)$/.exec(entry);
    const host = m ? m[1].replace(/^\[(.*)\]$/, '$1') : entry;
    if (!m || isIP(host) || host === 'localhost') {
      if (!out.has(entry)) out.set(entry, { address: entry, serverName: '' });
      continue;
    }
    const addresses = await lookup(host, { all: true });
    for (const { address } of addresses.sort((a, b) => a.address.localeCompare(b.address))) {
      const a = address.includes(':') ? `[${address}]:${m[2]}` : `${address}:${m[2]}`;
      if (!out.has(a)) out.set(a, { address: a, serverName: host });
    }
  }
  return [...out.values()];

}
