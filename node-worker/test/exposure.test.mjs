// A worker started with roots (`braid serve`) refuses references outside them on its own, and no
// worker keeps the hub token in process.env.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ResolveError, Resolver } from '../src/resolve.mjs';
import { startWorker, valueOf } from './helpers/gateway.mjs';

const T = { timeout: 30_000 };
const base = mkdtempSync(path.join(tmpdir(), 'bnw-expose-'));
const root = path.join(base, 'root');
const outside = path.join(base, 'outside');
mkdirSync(path.join(root, 'lib'), { recursive: true });
mkdirSync(outside);
writeFileSync(path.join(root, 'env.mjs'), 'export function getenv(name) { return process.env[name] ?? null; }\n');
writeFileSync(path.join(root, 'lib', 'util.mjs'), 'export const twice = (x) => 2 * x;\n');
writeFileSync(path.join(outside, 'marker.mjs'), 'export const f = () => "outside";\n');
symlinkSync(path.join(outside, 'marker.mjs'), path.join(root, 'linked.mjs'));

async function refusedBy(resolver, ref) {
  await assert.rejects(resolver.resolve(ref), (e) => e instanceof ResolveError && e.type === 'PermissionDenied');
}

test('with roots, files inside them resolve', async () => {
  const r = new Resolver([root], [root]);
  assert.equal((await r.resolve('lib/util.mjs#twice')).fn(4), 8);
  assert.equal((await r.resolve(path.join(root, 'lib/util.mjs#twice'))).fn(2), 4);
});

for (const ref of [
  'node:child_process#execSync',
  'fs#readFileSync',
  'child_process.js#x', // not a file under the roots
  '../outside/marker.mjs#f',
  `${path.join(outside, 'marker.mjs')}#f`,
  'linked.mjs#f',
  `file://${path.join(root, 'env.mjs')}#getenv`,
  'env.mjs#getenv.constructor',
  'env.mjs#getenv.__proto__',
  'env.mjs\0#getenv',
]) {
  test(`with roots, ${JSON.stringify(ref)} is refused`, async () => {
    const r = new Resolver([root], [root]);
    if (ref === 'child_process.js#x') {
      await assert.rejects(r.resolve(ref), (e) => e instanceof ResolveError && e.type === 'ModuleNotFoundError');
      return;
    }
    await refusedBy(r, ref);
  });
}

test('without roots, the local CLI keeps resolving any path', async () => {
  const r = new Resolver([root]);
  assert.equal((await r.resolve('../outside/marker.mjs#f')).fn(), 'outside');
});

describe('a worker process', T, () => {
  let w;
  before(async () => {
    w = await startWorker({ BRAID_NODE_PATH: root, BRAID_ROOTS: root });
  });
  after(() => w?.cleanup());

  test('does not keep the hub token in process.env', async () => {
    assert.equal(valueOf(await w.session.call('env.mjs#getenv', ['BRAID_TOKEN'])), null);
    assert.equal(valueOf(await w.session.call('env.mjs#getenv', ['BRAID_WORKER_ID'])), 'worker-1');
  });

  test('refuses a file outside its roots with INVALID_ARGUMENT PermissionDenied', async () => {
    const out = await w.session.call('../outside/marker.mjs#f', []);
    assert.equal(out.failure.code, 'INVALID_ARGUMENT');
    assert.equal(out.failure.type, 'PermissionDenied');
  });
});
