import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, configFromEnv } from '../src/config.mjs';
import { levelName } from '../src/log.mjs';

test('BRAID_SOCKET becomes a unix: target; defaults apply', () => {
  const c = configFromEnv({ BRAID_SOCKET: '/tmp/x.sock' }, '/work');
  assert.equal(c.target, 'unix:/tmp/x.sock');
  assert.equal(c.maxInFlight, 1024);
  assert.deepEqual(c.nodePath, ['/work']);
  assert.deepEqual(c.preload, []);
  assert.equal(c.logLevel, 'info');
});

test('BRAID_TARGET, node path after the working directory, preload list', () => {
  const c = configFromEnv(
    {
      BRAID_TARGET: '127.0.0.1:7070',
      BRAID_NODE_PATH: 'lib:/abs/dir::/work',
      BRAID_PRELOAD: ' a.mjs, b.cjs ,,',
      BRAID_MAX_IN_FLIGHT: '7',
      BRAID_WORKER_ID: 'w1',
      BRAID_TOKEN: 't',
      BRAID_LOG_LEVEL: 'WARNING',
    },
    '/work',
  );
  assert.equal(c.target, '127.0.0.1:7070');
  assert.deepEqual(c.nodePath, ['/work', '/work/lib', '/abs/dir']);
  assert.deepEqual(c.preload, ['a.mjs', 'b.cjs']);
  assert.equal(c.maxInFlight, 7);
  assert.equal(c.workerId, 'w1');
  assert.equal(c.token, 't');
  assert.equal(levelName(c.logLevel), 'warning');
});

test('bad values name the variable and the value', () => {
  assert.throws(() => configFromEnv({}), ConfigError);
  assert.throws(() => configFromEnv({ BRAID_SOCKET: 's', BRAID_MAX_IN_FLIGHT: 'x' }), /BRAID_MAX_IN_FLIGHT is not an integer: 'x'/);
  assert.throws(() => configFromEnv({ BRAID_SOCKET: 's', BRAID_MAX_IN_FLIGHT: '0' }), /BRAID_MAX_IN_FLIGHT < 1: 0/);
});

test('log levels accept Python-style and short names', () => {
  assert.equal(levelName('WARN'), 'warning');
  assert.equal(levelName('Debug'), 'debug');
  assert.equal(levelName('nonsense'), 'info');
});
