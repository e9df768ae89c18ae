/**
 * The wire: `braid.worker.v1` loaded at run time from the repository's .proto (the single
 * source for every language), and the constants the worker needs from it.
 *
 * Loader options are chosen for the hot path: `keepCase` (field names as in the .proto, no
 * renaming pass), `longs: Number` (call ids are uint64 but stay far below 2^53), numeric
 * enums, `defaults: false` (absent fields stay absent instead of being filled in) and
 * `oneofs: true` (each frame says which member it carries in `frame.kind`).
 *
 * @module
 */

import { fileURLToPath } from 'node:url';
import { loadSync } from '@grpc/proto-loader';

/** Absolute path of worker.proto: `../proto/...` relative to the package folder. */
export const PROTO_PATH = fileURLToPath(
  new URL('../../proto/braid/worker/v1/worker.proto', import.meta.url),
);

export const CONNECT_PATH = '/braid.worker.v1.WorkerHub/Connect';
export const PROTOCOL_VERSION = '1';
export const LANGUAGE = 'node';
export const ENCODING = 'json';
export const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

/** Failure codes (enum `Code`). */
export const Code = Object.freeze({
  CANCELLED: 1,
  DEADLINE_EXCEEDED: 2,
  UNAVAILABLE: 3,
  RESOURCE_EXHAUSTED: 4,
  INVALID_ARGUMENT: 5,
  APPLICATION: 6,
  INTERNAL: 7,
});

/** Code number -> name, for messages and for BraidError.code. */
export const CODE_NAMES = Object.freeze(
  Object.fromEntries(Object.entries(Code).map(([name, n]) => [n, name])),
);

/** Function kinds (enum `FunctionKind`). */
export const Kind = Object.freeze({
  ASYNC: 1,
  SYNC: 2,
  ASYNC_GENERATOR: 3,
  GENERATOR: 4,
  CALLBACK: 5,
});

/** Loader options of the worker's own side of the stream (see the module comment). */
export const LOADER_OPTIONS = Object.freeze({
  keepCase: true,
  longs: Number,
  enums: Number,
  defaults: false,
  oneofs: true,
});

/**
 * Loads worker.proto and returns the Connect method definition (serializers of both sides).
 *
 * @param {object} [options] proto-loader options; the worker's defaults when omitted
 * @returns {import('@grpc/proto-loader').MethodDefinition<any, any>}
 */
export function loadConnect(options = LOADER_OPTIONS) {
  const definition = loadSync(PROTO_PATH, { ...options });
  return definition['braid.worker.v1.WorkerHub'].Connect;
}
