import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Kind } from '../src/proto.mjs';
import { CALLBACK, ResolveError, Resolver, callback, describeLoadError, kindOf, signatureOf, splitRef } from '../src/resolve.mjs';

// Fixtures that do not import @braid/worker (no resolve hook in this process).
const dir = mkdtempSync(path.join(tmpdir(), 'bnw-resolve-'));
writeFileSync(
  path.join(dir, 'mod.mjs'),
  [
    'export async function a(x) { return x; }',
    'export function s(x, y = 1) { return x + y; }',
    'export async function* ag() { yield 1; }',
    'export function* g() { yield 1; }',
    'export const obj = { m() { return this.v; }, v: 3, notFn: 1 };',
    'export default (x) => x;',
    '',
  ].join('\n'),
);
writeFileSync(path.join(dir, 'common.cjs'), 'exports.twice = (x) => 2 * x;\nmodule.exports.nested = { f() { return 1; } };\n');
const other = mkdtempSync(path.join(tmpdir(), 'bnw-resolve2-'));
writeFileSync(path.join(other, 'second.mjs'), 'export const where = () => "second";\n');
writeFileSync(path.join(dir, 'bad.mjs'), 'export const x = ;\n');

test('splitRef', () => {
  assert.deepEqual(splitRef('a/b.mjs#c.d'), ['a/b.mjs', 'c.d']);
  for (const bad of ['nohash', '#x', 'x.mjs#', '']) {
    assert.throws(() => splitRef(bad), (e) => e instanceof ResolveError && e.type === 'TypeError' && /malformed function reference/.test(e.message));
  }
});

test('kinds come from what the function is, callback() marks explicitly', () => {
  assert.equal(kindOf(async () => {}), Kind.ASYNC);
  assert.equal(kindOf(() => {}), Kind.SYNC);
  assert.equal(kindOf(async function* () {}), Kind.ASYNC_GENERATOR);
  assert.equal(kindOf(function* () {}), Kind.GENERATOR);
  const fn = (a, cb) => cb(null, a);
  assert.equal(kindOf(fn), Kind.SYNC, 'never guessed from fn.length');
  assert.equal(callback(fn), fn);
  assert.equal(fn[CALLBACK], true);
  assert.equal(kindOf(fn), Kind.CALLBACK);
  assert.throws(() => callback(1), /not a function/);
});

test('resolves exports, default, dotted paths (with this) and CommonJS; caches', async () => {
  const r = new Resolver([dir, other]);
  assert.equal(r.cached('mod.mjs#a'), undefined);
  const a = await r.resolve('mod.mjs#a');
  assert.equal(a.kind, Kind.ASYNC);
  assert.equal(r.cached('mod.mjs#a'), a);
  assert.equal((await r.resolve('mod.mjs#default')).fn(5), 5);
  const m = await r.resolve('mod.mjs#obj.m');
  assert.equal(m.fn.call(m.thisArg), 3);
  assert.equal((await r.resolve('common.cjs#twice')).fn(4), 8);
  assert.equal((await r.resolve('common.cjs#nested.f')).fn(), 1);
  assert.equal((await r.resolve('second.mjs#where')).fn(), 'second'); // the second folder
  assert.equal((await r.resolve(path.join(dir, 'mod.mjs#s'))).kind, Kind.SYNC); // absolute
});

test('unknown files and exports are clear ResolveErrors', async () => {
  const r = new Resolver([dir]);
  await assert.rejects(r.resolve('nope.mjs#f'), (e) => e.type === 'ModuleNotFoundError' && e.message.startsWith("unknown function 'nope.mjs#f': cannot find module 'nope.mjs'"));
  await assert.rejects(r.resolve('mod.mjs#zzz'), (e) => e.type === 'ReferenceError' && e.message === "unknown function 'mod.mjs#zzz': module 'mod.mjs' has no export 'zzz'");
  await assert.rejects(r.resolve('mod.mjs#obj.notFn'), (e) => e.type === 'TypeError' && /is not a function \(it is a number\)/.test(e.message));
  await assert.rejects(r.resolve('bad.mjs#x'), (e) => e.type === 'SyntaxError' && e.message.includes(`${path.join(dir, 'bad.mjs')}:1`));
  assert.equal(r.cached('nope.mjs#f'), undefined, 'failures are not cached');
});

test('preload builds the catalog of exported functions', async () => {
  const r = new Resolver([dir]);
  const errors = [];
  const catalog = await r.preload(['mod.mjs', 'common.cjs', 'missing.mjs'], (file, e) => errors.push([file, e.type]));
  const byName = Object.fromEntries(catalog.map((f) => [f.name, f]));
  assert.equal(byName['mod.mjs#a'].kind, Kind.ASYNC);
  assert.equal(byName['mod.mjs#s'].signature, '(x, y = 1)');
  assert.equal(byName['mod.mjs#ag'].kind, Kind.ASYNC_GENERATOR);
  assert.equal(byName['mod.mjs#g'].kind, Kind.GENERATOR);
  assert.equal(byName['mod.mjs#default'].signature, '(x)');
  assert.equal(byName['common.cjs#twice'].kind, Kind.SYNC);
  assert.deepEqual(errors, [['missing.mjs', 'ModuleNotFoundError']]);
});

test('signatureOf reads parameter lists', () => {
  assert.equal(signatureOf(function f(a, { b: _b, c: _c } = {}) {}), '(a, { b: _b, c: _c } = {})');
  assert.equal(signatureOf(async (x) => x), '(x)');
  assert.equal(signatureOf(async x => x), '(x)');
  assert.equal(signatureOf(class {}.prototype.constructor), '');
});

test('describeLoadError points at the innermost user frame', () => {
  const e = new RangeError('boom');
  e.stack = `RangeError: boom\n    at file:///app/m.mjs:4:7\n    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)`;
  assert.equal(describeLoadError(e), 'RangeError: boom (/app/m.mjs:4)');
  const cjs = new SyntaxError('Unexpected token');
  cjs.stack = '/app/x.cjs:3\n b: = 2\n    ^\n\nSyntaxError: Unexpected token';
  assert.equal(describeLoadError(cjs), 'SyntaxError: Unexpected token (/app/x.cjs:3)');
});
