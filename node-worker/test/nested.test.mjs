import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallContext } from '../src/context.mjs';
import { BraidError } from '../src/failures.mjs';
import { NestedCalls } from '../src/nested.mjs';
import { Code } from '../src/proto.mjs';

function setup({ deadlineMs = null, open = true } = {}) {
  const frames = [];
  const writer = { frame: (f) => (open ? (frames.push(f), true) : false) };
  const nested = new NestedCalls(writer);
  const ctx = new CallContext(7, 'f#f', 1, deadlineMs === null ? null : performance.now() + deadlineMs, {
    armHeartbeat() {},
    nested,
  });
  return { frames, nested, ctx };
}

const ok = (callId, json) => ({ call_id: callId, value: { encoding: 'json', data: Buffer.from(json) } });

test('a NestedCall carries parent, full reference, args, kwargs and the remaining time', async () => {
  const { frames, nested, ctx } = setup({ deadlineMs: 5000 });
  const promise = ctx.callWith('python:pricing:tax', [1, 'a'], { kwargs: { k: true }, timeout: 2000 });
  const nc = frames[0].nested_call;
  assert.equal(nc.parent_call_id, 7);
  assert.equal(nc.function, 'python:pricing:tax');
  assert.deepEqual(JSON.parse(nc.args.data), [1, 'a']);
  assert.deepEqual(JSON.parse(nc.kwargs.data), { k: true });
  assert.ok(nc.remaining_ms > 1900 && nc.remaining_ms <= 2000, `${nc.remaining_ms}`);
  assert.equal(nc.initial_credit, 0);
  nested.onOutcome(ok(nc.call_id, '{"tax":1}'));
  assert.deepEqual(await promise, { tax: 1 });
  assert.equal(nested.size, 0);
  assert.equal(ctx._nestedCount, 0);
});

test('ids are the worker’s own, increasing; no deadline sends 0', async () => {
  const { frames, nested, ctx } = setup();
  const a = ctx.call('node:x.mjs#a');
  const b = ctx.call('node:x.mjs#b');
  assert.equal(frames[0].nested_call.remaining_ms, 0);
  assert.ok(frames[1].nested_call.call_id > frames[0].nested_call.call_id);
  nested.onOutcome(ok(frames[1].nested_call.call_id, 'null'));
  nested.onOutcome({ call_id: frames[0].nested_call.call_id, value: {} });
  assert.equal(await a, null);
  assert.equal(await b, null);
});

test('a failure rejects with a BraidError carrying the record', async () => {
  const { frames, nested, ctx } = setup();
  const promise = ctx.call('python:m:f');
  nested.onOutcome({
    call_id: frames[0].nested_call.call_id,
    failure: { code: Code.DEADLINE_EXCEEDED, type: 'TimeoutError', message: 'late', language: 'python', reason: 'deadline_exceeded', retryable: true },
  });
  await assert.rejects(promise, (e) => e instanceof BraidError && e.code === 'DEADLINE_EXCEEDED' && e.reason === 'deadline_exceeded' && e.language === 'python' && e.failure.message === 'late');
});

test('an abort of the caller sends nested_cancel and rejects at once with the reason', async () => {
  const { frames, nested, ctx } = setup();
  const promise = ctx.call('python:m:slow');
  const id = frames[0].nested_call.call_id;
  ctx._cancel('sibling_failed');
  await assert.rejects(promise, (e) => e.name === 'AbortError' && e.message === 'sibling_failed');
  assert.deepEqual(frames[1], { nested_cancel: { call_id: id, reason: 'sibling_failed' } });
  nested.onOutcome(ok(id, '1')); // late: ignored
  assert.equal(nested.size, 0);
});

test('already aborted or unserializable: rejected without sending', async () => {
  const { frames, ctx } = setup();
  await assert.rejects(ctx.call('python:m:f', 1n), (e) => e.code === 'INVALID_ARGUMENT' && e.type === 'NotSerializable' && e.message === 'cannot send the arguments of python:m:f as JSON: $[0] has no JSON form (BigInt)');
  await assert.rejects(ctx.call('python:m:f', { a: [NaN] }), (e) => e.message === 'cannot send the arguments of python:m:f as JSON: $[0].a[0] is NaN');
  ctx._cancel('cancelled');
  await assert.rejects(ctx.call('python:m:f'), (e) => e.name === 'AbortError');
  await assert.rejects(ctx.call(''), TypeError);
  assert.equal(frames.length, 0);
});

test('arguments over the payload limit: rejected RESOURCE_EXHAUSTED without sending', async () => {
  const { frames, nested, ctx } = setup();
  nested.maxPayloadBytes = 10;
  await assert.rejects(
    ctx.call('python:m:f', 'x'.repeat(20)),
    (e) => e.code === 'RESOURCE_EXHAUSTED' && e.type === 'PayloadTooLarge' && e.message === 'cannot send the arguments of python:m:f: 24 bytes, more than max_payload_bytes 10',
  );
  assert.equal(frames.length, 0);
});

test('a closed writer rejects UNAVAILABLE; orphans are cancelled parent_cancelled', async () => {
  const closed = setup({ open: false });
  await assert.rejects(closed.ctx.call('python:m:f'), (e) => e.code === 'UNAVAILABLE');
  const { frames, nested, ctx } = setup();
  const left = ctx.call('python:m:f');
  nested.orphaned(ctx);
  await assert.rejects(left, (e) => e.name === 'AbortError' && e.message === 'parent_cancelled');
  assert.equal(frames[1].nested_cancel.reason, 'parent_cancelled');
});
