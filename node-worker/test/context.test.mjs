import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallContext, abortReason, contextNeeded, current, markApiInUse, storage } from '../src/context.mjs';

const host = () => {
  const armed = [];
  return { armed, armHeartbeat: (ctx) => armed.push(ctx), nested: null };
};

test('current() throws outside a call and returns the context inside', async () => {
  assert.throws(() => current(), /called outside a Braid call/);
  const ctx = new CallContext(1, 'f.mjs#f', 1, null, host());
  await storage.run(ctx, async () => {
    await null;
    assert.equal(current(), ctx);
  });
});

test('cancel aborts the signal with an AbortError carrying the reason; the first reason wins', () => {
  const ctx = new CallContext(1, 'f.mjs#f', 1, null, host());
  const signal = ctx.signal;
  assert.equal(signal.aborted, false);
  assert.equal(ctx.cancelled, false);
  assert.equal(ctx._cancel('race_lost'), true);
  assert.equal(ctx._cancel('cancelled'), false);
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason.name, 'AbortError');
  assert.equal(signal.reason.message, 'race_lost');
  assert.equal(ctx.reason, 'race_lost');
  assert.equal(ctx.cancelled, true);
});

test('a signal created after the cancel is already aborted', () => {
  const ctx = new CallContext(1, 'f.mjs#f', 1, null, host());
  ctx._cancel('shutdown');
  assert.equal(ctx.signal.aborted, true);
  assert.equal(ctx.signal.reason.message, 'shutdown');
  assert.equal(ctx.signal, ctx.signal, 'one controller per call');
});

test('the deadline aborts with a TimeoutError', async () => {
  const ctx = new CallContext(1, 'f.mjs#f', 1, performance.now() + 30, host());
  assert.ok(ctx.remaining() > 0 && ctx.remaining() <= 30);
  const reason = await new Promise((resolve) => {
    ctx.signal.addEventListener('abort', () => resolve(ctx.signal.reason), { once: true });
  });
  assert.equal(reason.name, 'TimeoutError');
  assert.equal(reason.message, 'deadline_exceeded');
  assert.equal(ctx.reason, 'deadline_exceeded');
  assert.equal(ctx.remaining(), 0);
});

test('a passed deadline counts as cancellation before any signal exists', () => {
  const ctx = new CallContext(1, 'f.mjs#f', 1, performance.now() - 1, host());
  assert.equal(ctx.cancelled, true);
  assert.equal(ctx.reason, 'deadline_exceeded');
  // A cancel that arrives after the deadline passed is the deadline's.
  ctx._cancel('cancelled');
  assert.equal(ctx.reason, 'deadline_exceeded');
  assert.equal(ctx.signal.reason.name, 'TimeoutError');
});

test('no deadline: remaining() is null', () => {
  const ctx = new CallContext(1, 'f.mjs#f', 1, null, host());
  assert.equal(ctx.remaining(), null);
  assert.equal(ctx.deadline, null);
});

test('heartbeat arms once until sent and is a no-op after the call ended', () => {
  const h = host();
  const ctx = new CallContext(1, 'f.mjs#f', 1, null, h);
  ctx.heartbeat(1);
  ctx.heartbeat(2);
  assert.equal(h.armed.length, 1);
  assert.equal(ctx._hbDetails, 2);
  ctx._end();
  ctx._hbArmed = false;
  ctx.heartbeat(3);
  assert.equal(h.armed.length, 1);
});

test('abortReason maps deadline_exceeded to TimeoutError', () => {
  assert.equal(abortReason('deadline_exceeded').name, 'TimeoutError');
  assert.equal(abortReason('parent_cancelled').name, 'AbortError');
});

test('AsyncLocalStorage is needed only once the API is in use, then for good', () => {
  assert.equal(contextNeeded(), false);
  markApiInUse();
  assert.equal(contextNeeded(), true);
  assert.equal(contextNeeded(), true);
});

test('secret() returns a given secret, names the given ones otherwise, and is not shown by inspect or JSON', async () => {
  const { inspect } = await import('node:util');
  const ctx = new CallContext(1, 'f.mjs#f', 1, null, { armHeartbeat() {}, nested: null });
  ctx._setSecrets({ API_TOKEN: 't0k-value', OTHER: 'o' });
  assert.equal(ctx.secret('API_TOKEN'), 't0k-value');
  assert.throws(() => ctx.secret('NOPE'), /secret 'NOPE' was not given to this call.*given here: API_TOKEN, OTHER/);
  assert.doesNotMatch(inspect(ctx, { depth: 5, showHidden: true }), /t0k-value/);
  assert.doesNotMatch(JSON.stringify(Object.assign({}, ctx)), /t0k-value/);
});
