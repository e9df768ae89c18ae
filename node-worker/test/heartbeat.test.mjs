import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallContext } from '../src/context.mjs';
import { HeartbeatPump } from '../src/heartbeat.mjs';

const tick = () =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

function setup(intervalMs) {
  const sent = [];
  const pump = new HeartbeatPump((ctx, details) => sent.push(details), intervalMs);
  const ctx = new CallContext(1, 'f#f', 1, null, { armHeartbeat: (c) => pump.arm(c), nested: null });
  return { sent, ctx };
}

test('a burst in one turn becomes one send with the latest details', async () => {
  const { sent, ctx } = setup(100);
  for (let i = 0; i < 100; i++) ctx.heartbeat(i);
  assert.deepEqual(sent, [], 'never sent synchronously');
  await tick();
  assert.deepEqual(sent, [99]);
});

test('sends are throttled to one per interval, latest wins', async () => {
  const { sent, ctx } = setup(50);
  ctx.heartbeat('a');
  await tick();
  ctx.heartbeat('b');
  ctx.heartbeat('c');
  await tick();
  assert.deepEqual(sent, ['a'], 'held back within the interval');
  await new Promise((resolve) => {
    setTimeout(resolve, 120);
  });
  assert.deepEqual(sent, ['a', 'c']);
});

test('nothing is sent after the call ended', async () => {
  const { sent, ctx } = setup(50);
  ctx.heartbeat('x');
  ctx._end();
  await tick();
  assert.deepEqual(sent, []);
});
