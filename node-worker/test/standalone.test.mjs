// The standalone worker's command line and reconnect backoff (no network).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { backoffMs, parseStandaloneArgs, resolveGateways, split, UsageError } from '../src/standalone.mjs';

function tokenFile(text = 'edge-token-0123456789\n') {
  const dir = mkdtempSync(path.join(tmpdir(), 'braid-standalone-'));
  const file = path.join(dir, 'edge.token');
  writeFileSync(file, text);
  return { dir, file };
}

test('loopback without a CA is plaintext, with keepalive and roots', () => {
  const { dir, file } = tokenFile();
  const c = parseStandaloneArgs(
    ['--connect', '127.0.0.1:7071', '--pool', 'edge', '--token-file', file, '--keepalive', '2', '--preload', 'q.mjs'],
    dir,
  );
  assert.equal(c.target, '127.0.0.1:7071');
  assert.equal(c.pool, 'edge');
  assert.equal(c.token, 'edge-token-0123456789');
  assert.equal(c.tls, null);
  assert.equal(c.keepaliveMs, 2000);
  assert.deepEqual(c.preload, ['q.mjs']);
  assert.deepEqual(c.roots, [dir]);
});

test('off loopback is always TLS; the CA is read', () => {
  const { dir, file } = tokenFile();
  writeFileSync(path.join(dir, 'ca.pem'), 'CA');
  const c = parseStandaloneArgs(['--connect', 'gw.internal:7071', '--pool', 'edge', '--token-file', file], dir);
  assert.deepEqual(c.tls, { ca: null, cert: null, key: null });
  const d = parseStandaloneArgs(
    ['--connect', '127.0.0.1:1', '--pool', 'edge', '--token-file', file, '--tls-ca', path.join(dir, 'ca.pem')],
    dir,
  );
  assert.equal(d.tls.ca.toString(), 'CA');
});

test('bad flags and token files name themselves', () => {
  const { dir, file } = tokenFile();
  const base = ['--connect', '127.0.0.1:1', '--pool', 'edge', '--token-file', file];
  const cases = [
    [[...base, '--max-in-flight', '0'], /--max-in-flight/],
    [[...base, '--tls-cert', 'x.pem'], /go together/],
    [[...base, '--tls-ca', '/nonexistent/ca.pem'], /--tls-ca: cannot read/],
    [[...base, '--bogus'], /bogus/],
    [['--pool', 'edge', '--token-file', file], /--connect is required/],
    [['--connect', 'nohost', '--pool', 'e', '--token-file', file], /not HOST:PORT/],
    [['--connect', 'h:1', '--pool', 'e', '--token-file', tokenFile('# none\n').file], /holds no token/],
    [['--connect', 'h:1', '--pool', 'e', '--token-file', tokenFile('x'.repeat(5000)).file], /over 4096 bytes/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseStandaloneArgs(argv, dir), (e) => e instanceof UsageError && message.test(e.message));
  }
});

test('backoff is full jitter, capped at ten seconds', () => {
  for (let attempt = 0; attempt < 30; attempt++) {
    const cap = Math.min(10_000, 100 * 2 ** attempt);
    assert.equal(backoffMs(attempt, () => 1), cap);
    assert.equal(backoffMs(attempt, () => 0), 0);
  }
  const seen = new Set(Array.from({ length: 20 }, () => backoffMs(5).toFixed(6)));
  assert.ok(seen.size > 10, 'a fleet does not reconnect in lockstep');
});

test('max_in_flight is split across the gateways, at least one each', () => {
  assert.equal(split(1024, 1), 1024);
  assert.equal(split(1024, 3), 341);
  assert.equal(split(2, 5), 1);
  assert.equal(split(7, 0), 7);
});

test('literal addresses and localhost stay as given, deduplicated', async () => {
  assert.deepEqual(await resolveGateways('127.0.0.1:7071, [::1]:7072,127.0.0.1:7071'), [
    { address: '127.0.0.1:7071', serverName: '' },
    { address: '[::1]:7072', serverName: '' },
  ]);
  assert.deepEqual(await resolveGateways('localhost:7071'), [{ address: 'localhost:7071', serverName: '' }]);
});

test('a list is plaintext only when every host is loopback', () => {
  const { dir, file } = tokenFile();
  const both = parseStandaloneArgs(['--connect', '127.0.0.1:1,127.0.0.2:2', '--pool', 'e', '--token-file', file], dir);
  assert.equal(both.tls, null);
  const mixed = parseStandaloneArgs(['--connect', '127.0.0.1:1,gw.internal:2', '--pool', 'e', '--token-file', file], dir);
  assert.notEqual(mixed.tls, null);
});
