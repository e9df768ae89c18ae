/**
 * JSON payload codec. Payloads are UTF-8 JSON bytes tagged `"json"`.
 *
 * @module
 */

import { ENCODING } from './proto.mjs';

const NULL = Buffer.from('null');

/**
 * Most arrays/objects a value may be nested in (a scalar inside 512 arrays is fine, 513 not).
 * The same in every language, and below the gateway's parser limit (Jackson's 1,000), so a
 * value too deep is refused where it is produced, never by the reader.
 */
export const MAX_DEPTH = 512;
const MAX_PATH_SEGMENTS = 16;

/** A value breaks the JSON rule; `problem` says where and why (`$.items[3].price is NaN`). */
export class NotSerializable extends TypeError {
  /** @param {string} problem */
  constructor(problem) {
    super(problem);
    this.name = 'NotSerializable';
    this.problem = problem;
  }
}

/**
 * Serializes `value` to JSON text under Braid's JSON rule (docs/architecture.md, "The JSON
 * rule"), the same in every language.
 *
 * `undefined` at the top is `null` (a function that returns nothing returns null, like
 * Python's None); an object property that is `undefined` is left out, as `JSON.stringify`
 * does. Refused, where `JSON.stringify` would silently write `null` or `{}` or drop a
 * property: NaN and ±Infinity, `undefined` in an array, functions, symbols, BigInt, Map, Set,
 * Promise, RegExp, Error, binary data (Buffer, typed arrays, ArrayBuffer), cycles, and nesting
 * deeper than `MAX_DEPTH`.
 *
 * @param {unknown} value
 * @returns {string}
 * @throws {NotSerializable} naming the path to the first bad value
 */
export function stringify(value) {
  if (value === undefined) return 'null';
  if (!isPlain(value)) {
    // Something to look at closely (a toJSON, a class instance, a bad value): name the first
    // problem, or let JSON.stringify write what passed.
    const problem = findProblem(value);
    if (problem !== null) throw new NotSerializable(problem);
  }
  let text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    // a getter or toJSON that threw (or changed its mind) between the check and now
    throw new NotSerializable(`$ could not be converted (${describe(e)})`);
  }
  return text === undefined ? 'null' : text; // a top-level toJSON() that returned nothing
}

function isPlain(value) {
  try {
    return plain(value, 0);
  } catch {
    return false; // a throwing getter or proxy trap: findProblem names where
  }
}

/**
 * The fast check: true when `v` is only plain objects, arrays, finite numbers, strings,
 * booleans and null, at most `MAX_DEPTH` deep, so that native `JSON.stringify` writes exactly
 * it. False does not mean bad, only "walk it with findProblem". A separate walk and the native
 * stringify cost ~1.3x the stringify alone on 10,000 records; a replacer function costs ~7x.
 */
function plain(v, depth) {
  switch (typeof v) {
    case 'number':
      return v - v === 0; // false for NaN and ±Infinity
    case 'string':
    case 'boolean':
      return true;
    case 'object': {
      if (v === null) return true;
      if (depth >= MAX_DEPTH) return false; // also where a cycle ends up
      const proto = Object.getPrototypeOf(v);
      if (proto === Array.prototype) {
        for (let i = 0; i < v.length; i++) {
          const x = v[i];
          if (x === undefined || !plain(x, depth + 1)) return false;
        }
        return true;
      }
      if (proto !== Object.prototype || typeof v.toJSON === 'function') return false;
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        const x = v[k];
        if (x !== undefined && !plain(x, depth + 1)) return false;
      }
      return true;
    }
    default: // undefined (in arrays; object properties never get here), function, symbol, bigint
      return false;
  }
}

/** The type name of an object JSON has no form for, or null. */
function noJsonForm(v) {
  if (ArrayBuffer.isView(v)) return v.constructor?.name ?? 'ArrayBuffer view';
  for (const type of NO_FORM) {
    if (v instanceof type) return type.name;
  }
  return null;
}

const NO_FORM = [Map, Set, WeakMap, WeakSet, Promise, RegExp, Error, ArrayBuffer, SharedArrayBuffer];

/**
 * The first part of `value` (depth-first, in `JSON.stringify`'s order) that breaks the rule,
 * as `"$.path words"`, or null. Recurses at most `MAX_DEPTH + 1` levels.
 *
 * @param {unknown} value
 * @returns {string | null}
 */
export function findProblem(value) {
  const path = [];
  try {
    return check({ '': value }, '', value, path, [], false);
  } catch (e) {
    // a throwing getter, toJSON or proxy trap
    return `${render(path)} could not be read (${describe(e)})`;
  }
}

function check(holder, key, value, path, ancestors, inArray) {
  let v = value;
  if (v !== null && (typeof v === 'object' || typeof v === 'bigint')) {
    if (typeof v === 'object' && (ArrayBuffer.isView(v) || v instanceof ArrayBuffer)) {
      return `${render(path)} has no JSON form (${noJsonForm(v)})`;
    }
    if (typeof v.toJSON === 'function') v = v.toJSON(key);
  }
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? null : `${render(path)} is ${numberName(v)}`;
    case 'string':
    case 'boolean':
      return null;
    case 'undefined':
      return inArray ? `${render(path)} is undefined` : null;
    case 'bigint':
      return `${render(path)} has no JSON form (BigInt)`;
    case 'function':
    case 'symbol':
      return `${render(path)} has no JSON form (${typeof v})`;
    default:
      break;
  }
  if (v === null) return null;
  if (v instanceof Number) return check(holder, key, Number(v), path, ancestors, inArray);
  if (v instanceof String || v instanceof Boolean) return null;
  const type = noJsonForm(v);
  if (type !== null) return `${render(path)} has no JSON form (${type})`;
  const seen = ancestors.indexOf(v);
  if (seen >= 0) return `${render(path)} refers back to ${render(path.slice(0, seen))} (a cycle)`;
  if (ancestors.length >= MAX_DEPTH) return `${render(path)} is nested deeper than ${MAX_DEPTH} levels`;
  ancestors.push(v);
  const isArray = Array.isArray(v);
  const keys = isArray ? v.keys() : Object.keys(v);
  for (const k of keys) {
    path.push(k);
    const problem = check(v, isArray ? String(k) : k, v[k], path, ancestors, isArray);
    if (problem !== null) return problem;
    path.pop();
  }
  ancestors.pop();
  return null;
}

function numberName(n) {
  if (Number.isNaN(n)) return 'NaN';
  return n > 0 ? 'Infinity' : '-Infinity';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `$.items[3].price`; past 16 segments the rest is shown as `...`.
 *
 * @param {(string | number)[]} path
 */
export function render(path) {
  let out = '$';
  for (const seg of path.slice(0, MAX_PATH_SEGMENTS)) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (NAME.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return path.length > MAX_PATH_SEGMENTS ? `${out}...` : out;
}

function describe(e) {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return 'an unprintable value';
  }
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
