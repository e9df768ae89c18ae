/**
 * Runs the worker-protocol case table (proto/braid/worker/v1/conformance/) against this worker.
 *
 * A case file is interpreted the same way by the Python and Java runners; the README in that
 * folder is the format's reference. Frames are proto3 JSON (original field names) with a few
 * `$` forms: sent frames become the plain objects grpc-js serialises, and received frames are
 * rendered as proto3 JSON (bytes in base64, defaults as absent) before they are matched.
 */

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeGateway, WorkerProcess, WAIT_MS, sleep, within, workerEnv } from './gateway.mjs';

export const CASES = fileURLToPath(new URL('../../../proto/braid/worker/v1/conformance/', import.meta.url));
export const LANGUAGE = 'node';
const DEFAULT_WELCOME = { max_payload_bytes: 1 << 20, grace_ms: 2000 };

/** Every case in the table, by name (the file name without .json). */
export function caseNames() {
  return readdirSync(CASES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function loadCase(name) {
  return JSON.parse(readFileSync(path.join(CASES, `${name}.json`), 'utf8'));
}

/** A fixture's reference: case files name fixtures in snake_case, Node exports camelCase. */
export function reference(fixture) {
  return `conformance.mjs#${fixture.replace(/_([a-z])/g, (_, c) => c.toUpperCase())}`;
}

class CaseFailed extends Error {}

const isMatcher = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && Object.keys(v)[0].startsWith('$');
const isDefault = (v) =>
  v === undefined || v === null || v === 0 || v === '' || v === false || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && Object.keys(v).length === 0);
const single = (obj) => {
  const keys = Object.keys(obj);
  if (keys.length !== 1) throw new CaseFailed(`expected one frame kind, got ${keys}`);
  return [keys[0], obj[keys[0]]];
};
const show = (v) => JSON.stringify(v)?.slice(0, 300);

/** proto3 JSON of a received message: bytes in base64, unset fields and oneof names dropped. */
function asJson(value) {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(asJson);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = asJson(v);
  return out;
}

function substitute(value, i) {
  if (Array.isArray(value)) return value.map((v) => substitute(v, i));
  if (value !== null && typeof value === 'object') {
    if (isMatcher(value) && '$i' in value) return i + value.$i;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, i)]));
  }
  return value;
}

/** One case against one worker process; `tmp` holds the case's marker files. */
export class CaseRunner {
  constructor(testCase, tmp) {
    this.testCase = testCase;
    this.tmp = tmp;
  }

  async run() {
    this.gateway = await new FakeGateway().start();
    const env = {};
    if (this.testCase.worker?.max_in_flight !== undefined) env.BRAID_MAX_IN_FLIGHT = String(this.testCase.worker.max_in_flight);
    this.proc = new WorkerProcess(workerEnv(this.gateway.socketPath, env));
    try {
      this.session = await this.gateway.accept();
      // the Hello is waited for, not taken: a case may still expect it
      await within(this._arrived(() => this.session.frames.length > 0), WAIT_MS, 'the first frame');
      if (this.session.kinds()[0] !== 'hello') throw new CaseFailed(`the first frame was ${this.session.kinds()[0]}, not hello`);
      this.session.send({ welcome: this._outbound(this.testCase.welcome ?? DEFAULT_WELCOME, 0) });
      for (const [n, step] of this.testCase.steps.entries()) {
        try {
          await this._step(step);
        } catch (e) {
          e.message = `step ${n + 1} ${show(step)}: ${e.message}\n--- worker output ---\n${this.proc.output}`;
          throw e;
        }
      }
    } finally {
      this.proc.kill();
      this.gateway.close();
    }
  }

  /** Resolves once `ready()` holds, re-checked on every received batch. */
  _arrived(ready) {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = () => {
        if (ready()) {
          this.session._waiters.delete(waiter);
          resolve();
        }
      };
      this.session._waiters.add(waiter);
    });
  }

  async _step(step) {
    const ms = step.within_ms ?? WAIT_MS;
    const repeat = step.repeat ?? 1;
    if ('send' in step) {
      const frames = [];
      for (let i = 0; i < repeat; i++) for (const f of step.send) frames.push(this._outbound(f, i));
      this.session.send(...frames);
    } else if ('expect' in step) {
      for (let i = 0; i < repeat; i++) await this._expect(substitute(step.expect, i), ms);
    } else if ('expect_none' in step) {
      const [kind, pattern] = single(step.expect_none);
      await sleep(step.for_ms); // a bounded look for an absence
      if (this._untaken(kind, pattern).length > 0) throw new CaseFailed(`an unexpected ${kind} frame arrived`);
    } else if ('count' in step) {
      const [kind, pattern] = single(step.count);
      this._match(step.equals, this._all(kind, pattern).length, 'count');
    } else if ('batched' in step) {
      if (Math.max(0, ...this.session.batchSizes) < 2) throw new CaseFailed(`no batch carried more than one frame: ${this.session.batchSizes}`);
    } else if ('marker' in step) {
      const file = path.join(this.tmp, step.marker);
      const deadline = Date.now() + ms;
      while (!existsSync(file)) {
        if (Date.now() > deadline) throw new CaseFailed(`no marker file ${step.marker} after ${ms} ms`);
        await sleep(10);
      }
      this._match(step.equals, readFileSync(file, 'utf8'), 'marker');
    } else if ('half_closed' in step) {
      await within(this.session.halfClosed, ms, 'the worker to half-close its stream');
    } else if ('end_stream' in step) {
      this.session.end();
    } else if ('vanish' in step) {
      this.gateway.stop();
    } else if ('exit' in step) {
      this._match(step.exit, await this.proc.wait(ms), 'exit code');
    } else {
      throw new CaseFailed(`unknown step ${show(step)}`);
    }
  }

  async _expect(expected, ms) {
    const [kind, pattern] = single(expected);
    await within(this._arrived(() => this._untaken(kind, pattern).length > 0), ms, `a '${kind}' frame like ${show(pattern)}`);
    const [index, frame] = this._untaken(kind, pattern)[0];
    this.session.taken.add(index);
    this._match(pattern, asJson(frame[kind]), kind);
  }

  _selects(kind, pattern, msg) {
    for (const key of kind === 'pong' ? ['call_id', 'seq'] : ['call_id']) {
      if (typeof pattern[key] === 'number' && msg[key] !== pattern[key]) return false;
    }
    return true;
  }

  _untaken(kind, pattern) {
    const out = [];
    this.session.frames.forEach((f, i) => {
      if (!this.session.taken.has(i) && f.kind === kind && this._selects(kind, pattern, f[kind])) out.push([i, f]);
    });
    return out;
  }

  _all(kind, pattern) {
    return this.session.frames.filter((f) => f.kind === kind && this._selects(kind, pattern, f[kind]));
  }

  /** A sent frame with its `$` forms replaced: the plain object grpc-js serialises. */
  _outbound(value, i) {
    if (Array.isArray(value)) return value.map((v) => this._outbound(v, i));
    if (value === null || typeof value !== 'object') return value;
    if (isMatcher(value)) {
      const [key, arg] = single(value);
      if (key === '$fixture') return reference(arg);
      if (key === '$tmp') return path.join(this.tmp, arg);
      if (key === '$i') return i + arg;
      if (key === '$json') return { encoding: 'json', data: Buffer.from(JSON.stringify(this._outbound(arg, i))) };
      if (key === '$utf8') return Buffer.from(arg);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this._outbound(v, i)]));
  }

  /** Throws CaseFailed unless `actual` (proto3 JSON, defaults omitted) fits `expected`. */
  _match(expected, actual, where) {
    if (isMatcher(expected)) {
      const [key, arg] = single(expected);
      switch (key) {
        case '$by_language':
          if (!(LANGUAGE in arg) && !('*' in arg)) throw new CaseFailed(`${where}: no expectation for ${LANGUAGE}`);
          return this._match(LANGUAGE in arg ? arg[LANGUAGE] : arg['*'], actual, where);
        case '$all':
          for (const each of arg) this._match(each, actual, where);
          return undefined;
        case '$not':
          try {
            this._match(arg, actual, where);
          } catch (e) {
            if (e instanceof CaseFailed) return undefined;
            throw e;
          }
          throw new CaseFailed(`${where}: ${show(actual)} should not match ${show(arg)}`);
        case '$absent':
          if (!isDefault(actual)) throw new CaseFailed(`${where}: expected no value, got ${show(actual)}`);
          return undefined;
        case '$fixture':
          return this._match(reference(arg), actual, where);
        case '$language':
          return this._match(LANGUAGE, actual, where);
        case '$contains':
          if (typeof actual !== 'string' || !actual.includes(arg)) throw new CaseFailed(`${where}: ${show(actual)} does not contain ${show(arg)}`);
          return undefined;
        case '$nonempty':
          if (isDefault(actual)) throw new CaseFailed(`${where}: empty`);
          return undefined;
        case '$range':
          if (typeof actual !== 'number' || actual < arg[0] || actual > arg[1]) throw new CaseFailed(`${where}: ${show(actual)} not in ${show(arg)}`);
          return undefined;
        case '$json': {
          if (actual?.encoding !== 'json') throw new CaseFailed(`${where}: not a json payload: ${show(actual)}`);
          const value = JSON.parse(Buffer.from(actual.data ?? '', 'base64').toString('utf8'));
          return this._matchValue(arg, value, `${where}<json>`);
        }
        case '$utf8': {
          const text = Buffer.from(actual ?? '', 'base64').toString('utf8');
          if (text !== arg) throw new CaseFailed(`${where}: ${show(text)} !== ${show(arg)}`);
          return undefined;
        }
        default:
          throw new CaseFailed(`unknown matcher ${key}`);
      }
    }
    if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
      if (actual !== undefined && (actual === null || typeof actual !== 'object')) throw new CaseFailed(`${where}: expected a message, got ${show(actual)}`);
      for (const [k, v] of Object.entries(expected)) this._match(v, actual?.[k], `${where}.${k}`);
      return undefined;
    }
    if (actual === undefined && isDefault(expected)) return undefined;
    if (isDefault(actual) && isDefault(expected) && typeof actual === typeof expected) return undefined;
    if (actual !== expected) throw new CaseFailed(`${where}: ${show(actual)} !== ${show(expected)}`);
    return undefined;
  }

  /** Exact JSON equality (objects need the same keys), with `$` matchers inside. */
  _matchValue(expected, actual, where) {
    if (Array.isArray(expected)) {
      if (!Array.isArray(actual) || actual.length !== expected.length) throw new CaseFailed(`${where}: ${show(actual)} !== ${show(expected)}`);
      expected.forEach((e, n) => this._matchValue(e, actual[n], `${where}[${n}]`));
    } else if (expected !== null && typeof expected === 'object' && !isMatcher(expected)) {
      const same = actual !== null && typeof actual === 'object' && !Array.isArray(actual) && Object.keys(actual).sort().join() === Object.keys(expected).sort().join();
      if (!same) throw new CaseFailed(`${where}: ${show(actual)} does not have the keys of ${show(expected)}`);
      for (const [k, v] of Object.entries(expected)) this._matchValue(v, actual[k], `${where}.${k}`);
    } else if (isMatcher(expected)) {
      this._match(expected, actual, where);
    } else if (actual !== expected) {
      throw new CaseFailed(`${where}: ${show(actual)} !== ${show(expected)}`);
    }
  }
}
