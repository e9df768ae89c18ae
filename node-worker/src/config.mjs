/**
 * Worker configuration, read once from the environment the gateway sets.
 *
 * The gateway starts a worker with a cleared environment plus an allowlist, so every knob is
 * a `BRAID_*` variable.
 *
 * @module
 */

import path from 'node:path';

export const DEFAULT_MAX_IN_FLIGHT = 1024;
const MAX_UINT32 = 0xffff_ffff;

/** A `BRAID_*` variable is missing or malformed; the message names it and its value. */
export class ConfigError extends Error {
  name = 'ConfigError';
}

/**
 * @typedef {object} Config
 * @property {string} target gRPC target: `unix:<path>` for BRAID_SOCKET, else BRAID_TARGET
 * @property {string} workerId
 * @property {string} token
 * @property {number} maxInFlight open calls the worker accepts (>= 1)
 * @property {string[]} nodePath absolute folders user modules resolve from, cwd first (no cwd
 *   when `roots` is set)
 * @property {string[] | null} roots `BRAID_ROOTS` (set by `braid serve`): the only folders user
 *   modules may come from; null: anywhere (the local CLI)
 * @property {string[]} preload module references whose exports form the Hello catalog
 * @property {string} logLevel as given (the logger normalizes it)
 */

/**
 * Builds the configuration from `env`.
 *
 * @param {Record<string, string | undefined>} [env] default `process.env`
 * @param {string} [cwd] default `process.cwd()`
 * @returns {Config}
 * @throws {ConfigError} when no target is set or a number is malformed
 */
export function configFromEnv(env = process.env, cwd = process.cwd()) {
  const socketPath = (env.BRAID_SOCKET ?? '').trim();
  let target = (env.BRAID_TARGET ?? '').trim();
  if (socketPath) target = `unix:${socketPath}`;
  if (!target) throw new ConfigError('neither BRAID_SOCKET nor BRAID_TARGET is set');
  const roots = env.BRAID_ROOTS === undefined ? null : splitPaths(env.BRAID_ROOTS, cwd);
  const nodePath = roots === null ? [cwd] : [];
  for (const dir of (env.BRAID_NODE_PATH ?? '').split(':')) {
    const trimmed = dir.trim();
    if (!trimmed) continue;
    const abs = path.resolve(cwd, trimmed);
    if (!nodePath.includes(abs)) nodePath.push(abs);
  }
  return {
    target,
    workerId: env.BRAID_WORKER_ID ?? '',
    token: env.BRAID_TOKEN ?? '',
    maxInFlight: positiveInt(env, 'BRAID_MAX_IN_FLIGHT', DEFAULT_MAX_IN_FLIGHT),
    nodePath,
    roots,
    preload: (env.BRAID_PRELOAD ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    logLevel: (env.BRAID_LOG_LEVEL ?? '').trim() || 'info',
  };
}

function splitPaths(raw, cwd) {
  return raw
    .split(':')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => path.resolve(cwd, d));
}

/**
 * Braid-internal secrets: read into the Config, then deleted from `env` (default `process.env`)
 * before any user module is imported, so a function cannot read them.
 */
export const SECRETS = ['BRAID_TOKEN', 'BRAID_TOKEN_STDIN'];

/** Deletes the Braid-internal secrets from `env`. */
export function scrubSecrets(env = process.env) {
  for (const name of SECRETS) delete env[name];
}

function positiveInt(env, name, fallback) {
  const raw = (env[name] ?? '').trim();
  if (!raw) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${name} is not an integer: '${raw}'`);
  const value = Number(raw);
  if (value < 1) throw new ConfigError(`${name} < 1: ${value}`);
  if (value > MAX_UINT32) throw new ConfigError(`${name} > ${MAX_UINT32}: ${value}`);
  return value;
}
