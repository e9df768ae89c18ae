/**
 * JSON payload codec. Payloads are UTF-8 JSON bytes tagged `"json"`.
 *
 * @module
 */

import { ENCODING } from './proto.mjs';

const NULL = Buffer.from('null');

/**
 * Serializes `value` to JSON text, stricter than `JSON.stringify` at the top level.
 *
 * `undefined` becomes `null` (a function that returns nothing returns null); a function or
 * a symbol, which `JSON.stringify` silently turns into nothing, is an error. Inside
 * objects and arrays the usual `JSON.stringify` rules apply (NaN -> null, functions skipped).
 *
 * @param {unknown} value
 * @returns {string}
 * @throws {TypeError} BigInt, cycles, top-level function or symbol, a throwing toJSON
 */
export function stringify(value) {
  if (value === undefined) return 'null';
  const text = JSON.stringify(value);
  if (text === undefined) {
    throw new TypeError(`a value of type ${typeof value} has no JSON form`);
  }
  return text;
}

/**
 * Encodes `value` as payload bytes; `null` for anything unserializable (never throws).
 *
 * @param {unknown} value
 * @returns {Buffer}
 */
export function encodeLoose(value) {
  try {
    return Buffer.from(stringify(value));
  } catch {
    try {
      return Buffer.from(JSON.stringify({ unserializable: String(value).slice(0, 1000) }));
    } catch {
      return NULL;
    }
  }
}

/**
 * A `Payload` message for JSON bytes.
 *
 * @param {Buffer} data
 */
export function payload(data) {
  return { encoding: ENCODING, data };
}

/**
 * Decodes a `Payload` (possibly absent or empty) to a value; `undefined` when empty.
 *
 * @param {{encoding?: string, data?: Uint8Array} | undefined | null} message
 * @param {string} what names the payload in error messages ("args", "kwargs")
 * @throws {TypeError} unsupported encoding
 * @throws {SyntaxError} malformed JSON
 */
export function decodePayload(message, what) {
  if (message == null) return undefined;
  const { data, encoding } = message;
  if (data == null || data.length === 0) return undefined;
  if (encoding && encoding !== ENCODING) {
    throw new TypeError(`unsupported ${what} encoding '${encoding}' (expected '${ENCODING}')`);
  }
  return JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8'));
}
