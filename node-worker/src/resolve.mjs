/**
 * Function references (`path/to/file.mjs#export`, `file.cjs#obj.method`) -> callables.
 *
 * The file is looked up in the configured folders in order (the working directory first)
 * and loaded with a dynamic `import()` (ESM, or CommonJS through Node's CJS interop); the
 * export path is walked from the module namespace (`#default` is the default export). For a
 * CommonJS module whose `module.exports` object is only reachable as `default`, the path is
 * also walked from there. Successes are cached, so the per-call cost is one Map lookup;
 * failures are not (the file may appear later).
 *
 * @module
 */

import { spawnSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Kind } from './proto.mjs';
import { typeName } from './failures.mjs';
import { keywordNames, paramsOf, signatureText } from './params.mjs';

/**
 * The marker `callback()` puts on error-first callback functions. A registered symbol, so a
 * CommonJS module can set it without importing anything: `fn[Symbol.for('braid.worker.callback')] = true`.
 */
export const CALLBACK = Symbol.for('braid.worker.callback');

/**
 * Declares `fn` an error-first callback function: the worker calls `fn(...args, cb)` and
 * settles the call when `cb(err, value)` is called (the first call wins). Never guessed from
 * `fn.length`. Returns `fn` itself, marked.
 *
 * @template {Function} F
 * @param {F} fn
 * @returns {F}
 * @throws {TypeError} if `fn` is not a function
 */
export function callback(fn) {
  if (typeof fn !== 'function') throw new TypeError(`callback(fn): not a function: ${typeof fn}`);
  fn[CALLBACK] = true;
  return fn;
}

/**
 * The marker `withContext()` puts on functions that take their call's context as their first
 * argument. A registered symbol, like `CALLBACK`.
 */
export const CONTEXT = Symbol.for('braid.worker.context');

/**
 * Declares that `fn` takes its call's context as its **first** argument: the worker calls
 * `fn(ctx, ...args)`. Without it the worker never passes the context as an argument, so a
 * parameter declared for data always gets data (or `undefined`), never the context; such a
 * function reads the context with `current()`. Returns `fn` itself, marked.
 *
 * @template {Function} F
 * @param {F} fn
 * @returns {F}
 * @throws {TypeError} if `fn` is not a function
 */
export function withContext(fn) {
  if (typeof fn !== 'function') throw new TypeError(`withContext(fn): not a function: ${typeof fn}`);
  fn[CONTEXT] = true;
  return fn;
}

/**
 * A reference that cannot be resolved. `type` is the failure type to report, `message` the
 * full text, `original` the error behind it (if any; its stack is the failure's stack).
 */
export class ResolveError extends Error {
  constructor(type, message, original) {
    super(message);
    this.type = type;
    this.original = original;
  }
}
ResolveError.prototype.name = 'ResolveError';

/**
 * @typedef {object} Target a resolved function
 * @property {string} ref
 * @property {Function} fn
 * @property {unknown} thisArg the object a dotted path ends on (`obj` for `#obj.method`)
 * @property {number} kind a `Kind` value
 * @property {boolean} withContext marked by `withContext()`: the context is the first argument
 * @property {() => import('./params.mjs').Param[] | string} params the data parameters (after the
 *   context's, for `withContext`), read on first use; a string says why they cannot be read
 */

/** Splits `"dir/file.mjs#a.b"` into `["dir/file.mjs", "a.b"]`; throws ResolveError. */
export function splitRef(ref) {
  const hash = typeof ref === 'string' ? ref.lastIndexOf('#') : -1;
  if (hash <= 0 || hash === ref.length - 1) {
    throw new ResolveError(
      'TypeError',
      `malformed function reference '${ref}': expected 'path/to/file.mjs#export' ` +
        "(e.g. 'pricing.mjs#quote', 'lib/util.cjs#default')",
    );
  }
  return [ref.slice(0, hash), ref.slice(hash + 1)];
}

/** The kind of a function, from what it is (never from `fn.length`). */
export function kindOf(fn) {
  if (fn[CALLBACK] === true) return Kind.CALLBACK;
  switch (Object.prototype.toString.call(fn)) {
    case '[object AsyncFunction]':
      return Kind.ASYNC;
    case '[object AsyncGeneratorFunction]':
      return Kind.ASYNC_GENERATOR;
    case '[object GeneratorFunction]':
      return Kind.GENERATOR;
    default:
      return Kind.SYNC;
  }
}

/** Resolves and caches references. Event-loop only. */
export class Resolver {
  /**
   * @param {string[]} nodePath absolute folders to look files up in, in order
   * @param {string[] | null} roots with `braid serve`: the only folders files may come from (after
   *   `..` and symlinks); a reference outside them is refused with a `PermissionDenied`
   *   ResolveError (reported `INVALID_ARGUMENT`) before anything is loaded. null: no limit.
   */
  constructor(nodePath = [process.cwd()], roots = null) {
    this.nodePath = nodePath;
    this.roots = roots === null ? null : roots.map(realOrSelf);
    /** @type {Map<string, Target>} */
    this._cache = new Map();
  }

  /**
   * The cached Target for `ref`, or undefined if it was not resolved yet.
   *
   * @param {string} ref
   * @returns {Target | undefined}
   */
  cached(ref) {
    return this._cache.get(ref);
  }

  /**
   * Resolves `ref` (loading its module on first use).
   *
   * @param {string} ref
   * @returns {Promise<Target>}
   * @throws {ResolveError} never anything else
   */
  async resolve(ref) {
    const hit = this._cache.get(ref);
    if (hit !== undefined) return hit;
    const [file, exportPath] = splitRef(ref);
    if (this.roots !== null) checkExportPath(exportPath, ref);
    const ns = await this._import(file, ref);
    const target = walk(ns, file, exportPath, ref);
    this._cache.set(ref, target);
    return target;
  }

  /**
   * Loads `files` and returns the catalog of their exported functions (`FunctionInfo`s).
   * A module that fails to load is reported through `onError` and skipped.
   *
   * @param {string[]} files
   * @param {(file: string, err: ResolveError) => void} onError
   * @returns {Promise<{name: string, kind: number, signature: string, doc: string}[]>}
   */
  async preload(files, onError) {
    const catalog = [];
    for (const file of files) {
      let ns;
      try {
        ns = await this._import(file, `${file}#*`);
      } catch (e) {
        onError(file, e);
        continue;
      }
      for (const name of exportedFunctions(ns)) {
        let resolved;
        try {
          resolved = await this.resolve(`${file}#${name}`);
        } catch (e) {
          onError(file, e);
          continue;
        }
        const keywords = keywordNames(resolved.params());
        catalog.push({
          name: resolved.ref,
          kind: resolved.kind,
          signature: signatureText(resolved.params()),
          doc: '',
          keywords: keywords ?? [],
          keywords_known: keywords !== null,
        });
      }
    }
    return catalog;
  }

  /** The absolute path `file` resolves to, or null. */
  find(file) {
    if (path.isAbsolute(file)) return isFile(file) ? file : null;
    for (const dir of this.nodePath) {
      const candidate = path.resolve(dir, file);
      if (isFile(candidate)) return candidate;
    }
    return null;
  }

  async _import(file, ref) {
    if (this.roots !== null) checkSpecifier(file, ref);
    const found = this.find(file);
    if (found === null) {
      const where = path.isAbsolute(file) ? '' : ` (looked in ${this.nodePath.join(', ')})`;
      throw new ResolveError(
        'ModuleNotFoundError',
        `unknown function '${ref}': cannot find module '${file}'${where}`,
      );
    }
    if (this.roots !== null) checkInside(this.roots, found, file, ref);
    try {
      if (TYPESCRIPT.test(found)) return await importTypeScript(found);
      return await import(pathToFileURL(found).href);
    } catch (e) {
      throw new ResolveError(
        typeName(e),
        `cannot load module '${file}' for '${ref}': ${describeLoadError(e, found)}`,
        e,
      );
    }
  }
}

/** TypeScript module files, loaded through tsx. */
export const TYPESCRIPT = /\.(ts|mts|cts)$/;

/** tsx's `tsImport`, imported on first use: a worker that loads no TypeScript never loads tsx. */
let tsImport = null;

/**
 * Imports a TypeScript module with tsx's `tsImport` (esbuild strips the types; nothing is
 * type-checked). Node 20 has no type stripping of its own. `tsImport` registers its hooks for
 * this import's module graph only, so the worker's other modules load as before; `@braid/worker`
 * inside the module still resolves through hooks.mjs (tsx's resolver falls through to it).
 */
async function importTypeScript(file) {
  if (tsImport === null) ({ tsImport } = await import('tsx/esm/api'));
  return tsImport(pathToFileURL(file).href, import.meta.url);
}

function checkInside(roots, found, file, ref) {
  const real = realOrSelf(found);
  if (!roots.some((r) => real.startsWith(r + path.sep))) {
    throw refused(ref, `${file} resolves (after .. and symlinks) to a file outside every root`);
  }
}

const MACHINERY = new Set(['__proto__', 'constructor', 'prototype']);

/** Only plain .mjs/.cjs/.js file paths: no built-ins, URLs, packages, NULs. */
function checkSpecifier(file, ref) {
  if (file.startsWith('node:')) throw refused(ref, `${file} is a Node built-in module`);
  if (file.includes('\0') || file.includes(':') || file.includes('\\')) {
    throw refused(ref, `'${file}' is a URL or not a plain file path`);
  }
  if (!/\.(mjs|cjs|js|ts|mts|cts)$/.test(file)) {
    throw refused(ref, `'${file}' is a package or built-in name, not a .mjs/.cjs/.js/.ts file`);
  }
}

function checkExportPath(exportPath, ref) {
  for (const part of exportPath.split('.')) {
    if (MACHINERY.has(part)) {
      throw refused(ref, `export path '${exportPath}' reaches the object machinery`);
    }
  }
}

function refused(ref, why) {
  return new ResolveError('PermissionDenied', `refused '${ref}': outside the worker's roots: ${why}`);
}

function realOrSelf(p) {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function isFile(p) {
  try {
    return statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

function walk(ns, file, exportPath, ref) {
  const parts = exportPath.split('.');
  let holder;
  let obj = ns;
  try {
    if (!(parts[0] in ns) && isObjectLike(ns.default) && parts[0] in ns.default) {
      obj = ns.default; // CommonJS: module.exports is the default export
    }
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (!isObjectLike(obj) || !(part in obj)) {
        const what =
          i === 0
            ? `module '${file}' has no export '${part}'`
            : `'${parts.slice(0, i).join('.')}' of module '${file}' has no property '${part}'`;
        throw new ResolveError('ReferenceError', `unknown function '${ref}': ${what}`);
      }
      holder = obj;
      obj = obj[part];
    }
  } catch (e) {
    if (e instanceof ResolveError) throw e;
    // e.g. a binding still in its temporal dead zone (circular imports)
    throw new ResolveError(typeName(e), `unknown function '${ref}': ${e.message}`, e);
  }
  if (typeof obj !== 'function') {
    throw new ResolveError(
      'TypeError',
      `'${ref}' is not a function (it is ${obj === null ? 'null' : `a ${typeof obj}`})`,
    );
  }
  return targetOf(ref, obj, parts.length > 1 ? holder : undefined);
}

/**
 * The Target for `fn`. Its parameters are parsed only when first needed (keyword arguments, the
 * catalog), once.
 *
 * @returns {Target}
 */
export function targetOf(ref, fn, thisArg = undefined) {
  const ctxFirst = fn[CONTEXT] === true;
  let params = null;
  return {
    ref,
    fn,
    thisArg,
    kind: kindOf(fn),
    withContext: ctxFirst,
    params() {
      if (params === null) {
        const all = paramsOf(fn);
        params = typeof all === 'string' || !ctxFirst ? all : all.slice(1);
      }
      return params;
    },
  };
}

function isObjectLike(value) {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function exportedFunctions(ns) {
  const names = [];
  for (const name of Object.keys(ns)) {
    if (typeof ns[name] === 'function') names.push(name);
  }
  const dflt = ns.default;
  if (isObjectLike(dflt) && typeof dflt !== 'function' && Object.getPrototypeOf(dflt) === Object.prototype) {
    // A CommonJS module.exports object: its functions are reachable as `file#name` too.
    for (const name of Object.keys(dflt)) {
      if (typeof dflt[name] === 'function' && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

/**
 * A human-readable parameter list taken from the function's source (parsed, see params.mjs),
 * e.g. `"(sku, qty = 1)"`; empty when it cannot be read.
 *
 * @param {Function} fn
 * @returns {string}
 */
export function signatureOf(fn) {
  return signatureText(paramsOf(fn));
}

const SRC_DIR = fileURLToPath(new URL('.', import.meta.url));
const LOCATION = /^(file:\/\/\S+?|\/\S+?):(\d+)$/;
const FRAME_LOCATION = /\((?:file:\/\/)?(\/[^()]+?):(\d+):\d+\)$|at (?:file:\/\/)?(\/[^()\s]+?):(\d+):\d+$/;

/**
 * `Type: message (file:line)` for an error thrown while loading a module: the offending line
 * of a SyntaxError, the innermost user frame otherwise.
 *
 * @param {unknown} e
 * @param {string} [file] the module that was being loaded
 * @returns {string}
 */
export function describeLoadError(e, file) {
  const transform = esbuildError(e);
  if (transform !== null) return transform;
  let message;
  let stack = '';
  try {
    message = `${typeName(e)}: ${e?.message ?? String(e)}`;
    stack = typeof e?.stack === 'string' ? e.stack : '';
  } catch {
    message = 'Error: <unprintable>';
  }
  let where = '';
  for (const line of stack.split('\n')) {
    const trimmed = line.trim();
    const header = LOCATION.exec(trimmed);
    if (header) {
      where = `${toPath(header[1])}:${header[2]}`;
      break;
    }
    const frame = FRAME_LOCATION.exec(trimmed);
    if (frame) {
      const file = frame[1] ?? frame[3];
      if (!file.startsWith(SRC_DIR)) {
        where = `${file}:${frame[2] ?? frame[4]}`;
        break;
      }
    }
  }
  if (!where && file && typeName(e) === 'SyntaxError') where = syntaxErrorLocation(file);
  return where ? `${message} (${where})` : message;
}

const ESBUILD_ERROR = /^Transform failed with \d+ errors?:\n(.+?):(\d+):(\d+): ERROR: (.*)$/m;

/**
 * `SyntaxError: message (file:line:column)` for the first error of a TypeScript module that
 * esbuild (through tsx) could not transform; null for any other error. esbuild's own message is
 * several lines, and its stack points into esbuild, not at the user's file.
 */
function esbuildError(e) {
  try {
    const m = e?.name === 'TransformError' || typeof e?.message === 'string' ? ESBUILD_ERROR.exec(e.message) : null;
    return m === null ? null : `SyntaxError: ${m[4]} (${m[1]}:${m[2]}:${m[3]})`;
  } catch {
    return null;
  }
}

/**
 * Where the syntax error of an ES module is. Node 20 keeps that location out of the error
 * an import() rejects with, so ask `node --check` (error path only; the file itself, not
 * its imports).
 */
function syntaxErrorLocation(file) {
  try {
    const check = spawnSync(process.execPath, ['--check', file], {
      encoding: 'utf8',
      timeout: 5000,
      env: {},
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const first = (check.stderr ?? '').split('\n', 1)[0].trim();
    const match = LOCATION.exec(first);
    return match ? `${toPath(match[1])}:${match[2]}` : '';
  } catch {
    return '';
  }
}

function toPath(location) {
  try {
    return location.startsWith('file://') ? fileURLToPath(location) : location;
  } catch {
    return location;
  }
}
