// End to end: the real worker process against a fake gateway over a Unix socket.
// Every wait is bounded (helpers/gateway.mjs WAIT_MS, per-test timeouts); no assertion
// depends on speed.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  FakeGateway,
  WorkerProcess,
  invokeFrame,
  json,
  shortTmp,
  sleep,
  startWorker,
  valueOf,
  workerEnv,
} from './helpers/gateway.mjs';

const T = { timeout: 30_000 };

/** Waits for the function's "started" heartbeat: its body is running. */
async function started(session, callId) {
  const beat = await session.expect('heartbeat', callId);
  assert.equal(json(beat.details), 'started');
}

describe('worker with one shared connection', T, () => {
  let w;
  let tmp;
  before(async () => {
    w = await startWorker({ BRAID_PRELOAD: 'samples.mjs, legacy.cjs, broken_syntax.mjs' });
    tmp = shortTmp();
  });
  after(() => w.cleanup());

  test('hello carries identity, limits and the catalog', () => {
    const { hello, proc } = w;
    assert.equal(hello.language, 'node');
    assert.equal(hello.runtime_version, `Node ${process.version}`);
    assert.equal(hello.worker_id, 'worker-1');
    assert.equal(hello.token, 'token-1');
    assert.equal(hello.max_in_flight, 1024); // the default
    assert.equal(hello.pid, proc.pid);
    assert.equal(hello.protocol_version, '1');
    const catalog = Object.fromEntries(hello.catalog.map((f) => [f.name, f]));
    assert.equal(catalog['samples.mjs#echo'].kind, 'ASYNC');
    assert.equal(catalog['samples.mjs#echo'].signature, '(x)');
    assert.equal(catalog['samples.mjs#syncAdd'].kind, 'SYNC');
    assert.equal(catalog['samples.mjs#numbers'].kind, 'ASYNC_GENERATOR');
    assert.equal(catalog['samples.mjs#syncNumbers'].kind, 'GENERATOR');
    assert.equal(catalog['samples.mjs#cbAdd'].kind, 'CALLBACK');
    assert.equal(catalog['samples.mjs#default'].kind, 'SYNC');
    assert.equal(catalog['legacy.cjs#readLater'].kind, 'CALLBACK');
    assert.equal(catalog['legacy.cjs#double'].kind, 'SYNC');
    assert.ok(!Object.keys(catalog).some((name) => name.startsWith('broken_syntax')));
    // A preload that fails is logged, not fatal.
    assert.match(w.proc.output, /preload of broken_syntax\.mjs failed: .*SyntaxError/);
  });

  test('async function result is compact UTF-8 JSON', async () => {
    const out = await w.session.call('samples.mjs#echo', [{ a: [1, 'é'], b: null }]);
    assert.equal(out.value.encoding, 'json');
    assert.equal(out.value.data.toString('utf8'), '{"a":[1,"é"],"b":null}');
  });

  test('kwargs are one extra positional argument before the context', async () => {
    assert.deepEqual(valueOf(await w.session.call('samples.mjs#kw', [1], { kwargs: { b: 2 } })), {
      a: 1,
      kwargs: { b: 2 },
      ctxIsLast: true,
    });
    // An empty kwargs object is not passed.
    assert.deepEqual(valueOf(await w.session.call('samples.mjs#kw', [1], { kwargs: {} })), {
      a: 1,
      kwargs: null,
      ctxIsLast: true,
    });
  });

  test('default export, dotted paths keep `this`, CommonJS and a .js file in a subfolder', async () => {
    const { session } = w;
    assert.deepEqual(valueOf(await session.call('samples.mjs#default', [3])), { default: 3 });
    assert.equal(valueOf(await session.call('samples.mjs#greeter.hello', ['bob'])), 'hello bob');
    assert.equal(valueOf(await session.call('legacy.cjs#double', [21])), 42);
    assert.equal(valueOf(await session.call('legacy.cjs#whoAmI')), 'legacy.cjs#whoAmI');
    assert.equal(valueOf(await session.call('sub/deep.js#answer')), 42);
  });

  test('the context is the last argument and current()', async () => {
    const callId = w.session.invoke('samples.mjs#info', [], { remainingMs: 5000, attempt: 3 });
    const got = valueOf(await w.session.expect('outcome', callId));
    assert.equal(got.callId, callId);
    assert.equal(got.function, 'samples.mjs#info');
    assert.equal(got.attempt, 3);
    assert.ok(got.remaining > 0 && got.remaining <= 5000, `remaining ${got.remaining}`);
    assert.equal(got.hasDeadline, true);
    assert.equal(got.cancelled, false);
    assert.equal(got.same, true);
  });

  test('sync function', async () => {
    assert.equal(valueOf(await w.session.call('samples.mjs#syncAdd', [2, 5])), 7);
  });

  test('callback functions are promisified (ESM, CommonJS, marked by hand)', async () => {
    const { session } = w;
    const callId = session.invoke('samples.mjs#cbAdd', [2, 3]);
    assert.deepEqual(valueOf(await session.expect('outcome', callId)), { sum: 5, callId });
    assert.equal(valueOf(await session.call('legacy.cjs#readLater', ['x'])), 'read x');
    assert.equal(valueOf(await session.call('legacy.cjs#markedByHand')), 'marked');
    const f = (await session.call('samples.mjs#cbFail')).failure;
    assert.equal(f.code, 'APPLICATION');
    assert.equal(f.type, 'RangeError');
    assert.equal(f.message, 'callback failed');
  });

  test('Error with a cause chain becomes a failure record', async () => {
    const f = (await w.session.call('samples.mjs#failWithCause')).failure;
    assert.equal(f.code, 'APPLICATION');
    assert.equal(f.type, 'TypeError');
    assert.equal(f.message, 'profile lookup failed');
    assert.equal(f.language, 'node');
    assert.equal(f.retryable, false);
    assert.match(f.stack, /^TypeError: profile lookup failed\n\s+at failWithCause \(.*samples\.mjs:\d+/);
    assert.doesNotMatch(f.stack, /node-worker\/src\//); // the worker's own frames are gone
    assert.equal(f.cause.type, 'SyntaxError');
    assert.match(f.cause.message, /JSON/);
    assert.equal(f.cause.language, 'node');
    assert.equal(f.cause.cause, null);
  });

  test('a custom Error subclass reports its class name', async () => {
    const f = (await w.session.call('samples.mjs#customError')).failure;
    assert.equal(f.type, 'OutOfStock');
    assert.equal(f.message, 'no tea left');
  });

  test('AggregateError lists its errors in details; the first is the cause', async () => {
    const f = (await w.session.call('samples.mjs#aggregate')).failure;
    assert.equal(f.type, 'AggregateError');
    assert.equal(f.message, 'all failed');
    assert.deepEqual(json(f.details), [
      { type: 'RangeError', message: 'first' },
      { type: 'TypeError', message: 'second' },
      { type: 'NonErrorRejection', message: 'third' },
    ]);
    assert.equal(f.cause.type, 'RangeError');
    assert.equal(f.cause.message, 'first');
  });

  test('rejected non-Error values', async () => {
    const s = (await w.session.call('samples.mjs#rejectString')).failure;
    assert.equal(s.code, 'APPLICATION');
    assert.equal(s.type, 'NonErrorRejection');
    assert.equal(s.message, 'just a string');
    assert.equal(json(s.details), 'just a string');
    const o = (await w.session.call('samples.mjs#rejectObject')).failure;
    assert.equal(o.type, 'NonErrorRejection');
    assert.deepEqual(json(o.details), { code: 42, why: 'object' });
  });

  test('BraidError chooses code, type, retryable and details', async () => {
    const f = (await w.session.call('samples.mjs#braidError')).failure;
    assert.equal(f.code, 'RESOURCE_EXHAUSTED');
    assert.equal(f.type, 'shop.OutOfStock');
    assert.equal(f.message, 'out of stock');
    assert.equal(f.retryable, true);
    assert.deepEqual(json(f.details), { sku: 'A-1' });
  });

  test('many pipelined calls share batches', async () => {
    const n = 300;
    w.session.send(...Array.from({ length: n }, (_, i) => invokeFrame(10_000 + i, 'samples.mjs#echo', [i])));
    for (let i = 0; i < n; i++) {
      assert.equal(valueOf(await w.session.expect('outcome', 10_000 + i)), i);
    }
    assert.ok(Math.max(...w.session.batchSizes) > 1, 'the writer coalesced frames');
  });

  test('a deadline aborts the signal with a TimeoutError', async () => {
    const marker = path.join(tmp, 'deadline');
    const callId = w.session.invoke('samples.mjs#waitForever', [marker], { remainingMs: 200 });
    const f = (await w.session.expect('outcome', callId)).failure;
    assert.equal(f.code, 'DEADLINE_EXCEEDED');
    assert.equal(f.type, 'TimeoutError');
    assert.equal(f.reason, 'deadline_exceeded');
    assert.equal(f.retryable, true);
    // The function itself saw the abort, with a TimeoutError reason.
    assert.equal(readFileSync(marker, 'utf8'), 'TimeoutError:deadline_exceeded:deadline_exceeded:AbortError');
  });

  test('Cancel aborts with an AbortError carrying the reason', async () => {
    const marker = path.join(tmp, 'cancel');
    const callId = w.session.invoke('samples.mjs#waitForever', [marker]);
    await started(w.session, callId);
    w.session.cancel(callId, 'race_lost');
    const f = (await w.session.expect('outcome', callId)).failure;
    assert.equal(f.code, 'CANCELLED');
    assert.equal(f.type, 'AbortError');
    assert.equal(f.reason, 'race_lost');
    assert.equal(f.retryable, false);
    assert.equal(readFileSync(marker, 'utf8'), 'AbortError:race_lost:race_lost:AbortError');
  });

  test('Cancel with reason deadline_exceeded reports DEADLINE_EXCEEDED', async () => {
    const callId = w.session.invoke('samples.mjs#waitForever', [path.join(tmp, 'dl2')]);
    await started(w.session, callId);
    w.session.cancel(callId, 'deadline_exceeded');
    const f = (await w.session.expect('outcome', callId)).failure;
    assert.equal(f.code, 'DEADLINE_EXCEEDED');
    assert.equal(f.reason, 'deadline_exceeded');
  });

  test('Cancel in the same batch as the Invoke', async () => {
    const marker = path.join(tmp, 'same-batch');
    w.session.send(invokeFrame(77, 'samples.mjs#waitForever', [marker]), { cancel: { call_id: 77, reason: 'parent_cancelled' } });
    const f = (await w.session.expect('outcome', 77)).failure;
    assert.equal(f.code, 'CANCELLED');
    assert.equal(f.reason, 'parent_cancelled');
    await sleep(50);
    assert.equal(w.session.framesOf('outcome', 77).length, 1);
  });

  test('a function that swallows the abort has its value sent', async () => {
    const callId = w.session.invoke('samples.mjs#swallowAbort');
    await started(w.session, callId);
    w.session.cancel(callId);
    assert.equal(valueOf(await w.session.expect('outcome', callId)), 'swallowed cancelled');
  });

  test('any rejection after the abort is CANCELLED, the error kept as the cause', async () => {
    const callId = w.session.invoke('samples.mjs#throwAfterAbort');
    await started(w.session, callId);
    w.session.cancel(callId, 'sibling_failed');
    const f = (await w.session.expect('outcome', callId)).failure;
    assert.equal(f.code, 'CANCELLED');
    assert.equal(f.reason, 'sibling_failed');
    assert.equal(f.cause.type, 'RangeError');
    assert.equal(f.cause.message, 'cleanup failed');
  });

  test('the worker waits for a function that ignores its signal', async () => {
    const callId = w.session.invoke('samples.mjs#ignoreAbort', [300]);
    await started(w.session, callId);
    w.session.cancel(callId);
    assert.equal(valueOf(await w.session.expect('outcome', callId)), 'ignored');
  });

  test('a Cancel of an unknown call is ignored', async () => {
    w.session.cancel(424242);
    assert.equal(valueOf(await w.session.call('samples.mjs#echo', ['still here'])), 'still here');
  });

  test('async generator respects credit', async () => {
    const { session } = w;
    const before = valueOf(await session.call('samples.mjs#producedCount'));
    const callId = session.invoke('samples.mjs#numbers', [5], { credit: 2 });
    for (let seq = 0; seq < 2; seq++) {
      const item = await session.expect('item', callId);
      assert.equal(item.seq, seq);
      assert.equal(json(item.value), seq);
    }
    // No credit left: the generator runs at most one item ahead (a bounded look for absence).
    await sleep(300);
    assert.equal(session.framesOf('item', callId).length, 2);
    assert.equal(valueOf(await session.call('samples.mjs#producedCount')) - before, 3);
    session.credit(callId, 10);
    const seqs = [];
    for (let i = 0; i < 3; i++) seqs.push((await session.expect('item', callId)).seq);
    assert.deepEqual(seqs, [2, 3, 4]);
    const out = await session.expect('outcome', callId);
    assert.equal(valueOf(out), null);
    assert.equal(out.items, 5);
  });

  test('a stream ends when the credit runs out exactly at the last item', async () => {
    const callId = w.session.invoke('samples.mjs#numbers', [3], { credit: 3 });
    const seqs = [];
    for (let i = 0; i < 3; i++) seqs.push((await w.session.expect('item', callId)).seq);
    assert.deepEqual(seqs, [0, 1, 2]);
    const out = await w.session.expect('outcome', callId);
    assert.equal(out.items, 3);
    assert.equal(valueOf(out), null);
  });

  test('sync generator streams against credit', async () => {
    const callId = w.session.invoke('samples.mjs#syncNumbers', [3], { credit: 1 });
    assert.equal(json((await w.session.expect('item', callId)).value), 0);
    w.session.credit(callId, 5);
    assert.equal(json((await w.session.expect('item', callId)).value), 10);
    assert.equal(json((await w.session.expect('item', callId)).value), 20);
    const out = await w.session.expect('outcome', callId);
    assert.equal(out.items, 3);
  });

  test('a cancelled stream waiting for credit ends CANCELLED', async () => {
    const callId = w.session.invoke('samples.mjs#numbers', [10], { credit: 1 });
    await w.session.expect('item', callId);
    w.session.cancel(callId, 'race_lost');
    const out = await w.session.expect('outcome', callId);
    assert.equal(out.failure.code, 'CANCELLED');
    assert.equal(out.failure.reason, 'race_lost');
    assert.equal(out.items, 1);
  });

  test('a generator without credit is invalid', async () => {
    const f = (await w.session.call('samples.mjs#numbers', [3])).failure;
    assert.equal(f.code, 'INVALID_ARGUMENT');
    assert.equal(f.message, 'samples.mjs#numbers is a generator; call it as a stream');
  });

  test('a plain function called as a stream sends one item', async () => {
    const callId = w.session.invoke('samples.mjs#echo', [7], { credit: 4 });
    const item = await w.session.expect('item', callId);
    assert.equal(item.seq, 0);
    assert.equal(json(item.value), 7);
    const out = await w.session.expect('outcome', callId);
    assert.equal(valueOf(out), null);
    assert.equal(out.items, 1);
  });

  test('ping is answered with the in-flight count', async () => {
    w.session.ping(42);
    const pong = await w.session.expect('pong', undefined, { where: (p) => p.seq === 42 });
    assert.equal(pong.in_flight, 0);
    const callId = w.session.invoke('samples.mjs#waitForever', [path.join(tmp, 'ping')]);
    await started(w.session, callId);
    w.session.ping(43);
    const second = await w.session.expect('pong', undefined, { where: (p) => p.seq === 43 });
    assert.equal(second.in_flight, 1);
    w.session.cancel(callId);
    await w.session.expect('outcome', callId);
  });

  test('heartbeats are coalesced to the latest', async () => {
    const callId = w.session.invoke('samples.mjs#beat', [1000]);
    assert.equal(valueOf(await w.session.expect('outcome', callId)), 1000);
    const beats = w.session.framesOf('heartbeat', callId).map((b) => json(b.details));
    assert.deepEqual(beats, [{ i: 999 }]);
  });

  test('undefined is sent as null', async () => {
    assert.equal(valueOf(await w.session.call('samples.mjs#nothing')), null);
  });

  test('bad inputs, then a good call still works', async () => {
    const { session } = w;
    const cases = [
      [await session.call('samples.mjs#echo', [], { rawArgs: Buffer.from('[1,') }), 'INVALID_ARGUMENT', 'SyntaxError', "malformed args for 'samples.mjs#echo'"],
      [await session.call('samples.mjs#echo', [], { rawArgs: Buffer.from('{"x":1}') }), 'INVALID_ARGUMENT', 'TypeError', "args for 'samples.mjs#echo' must be a JSON array, got object"],
      [await session.call('samples.mjs#kw', [1], { kwargs: [1, 2] }), 'INVALID_ARGUMENT', 'TypeError', "kwargs for 'samples.mjs#kw' must be a JSON object, got array"],
      [await session.call('samples.mjs#typeErrorInside', [1]), 'APPLICATION', 'TypeError', 'Cannot read properties of undefined'],
      [await session.call('samples.mjs#notJson'), 'INVALID_ARGUMENT', 'NotSerializable', 'cannot send the result of samples.mjs#notJson as JSON: $.big has no JSON form (BigInt)'],
      [await session.call('samples.mjs#cyclic'), 'INVALID_ARGUMENT', 'NotSerializable', 'cannot send the result of samples.mjs#cyclic as JSON: $.self refers back to $ (a cycle)'],
      [await session.call('samples.mjs#returnsFunction'), 'INVALID_ARGUMENT', 'NotSerializable', 'cannot send the result of samples.mjs#returnsFunction as JSON: $ has no JSON form (function)'],
      [await session.call('samples.mjs#big', [2 << 20]), 'RESOURCE_EXHAUSTED', 'PayloadTooLarge', `cannot send the result of samples.mjs#big: ${(2 << 20) + 2} bytes, more than max_payload_bytes ${1 << 20}`],
      [await session.call('no_such_file.mjs#f'), 'INVALID_ARGUMENT', 'ModuleNotFoundError', "unknown function 'no_such_file.mjs#f': cannot find module 'no_such_file.mjs'"],
      [await session.call('samples.mjs#nope'), 'INVALID_ARGUMENT', 'ReferenceError', "unknown function 'samples.mjs#nope': module 'samples.mjs' has no export 'nope'"],
      [await session.call('samples.mjs#greeter.nope'), 'INVALID_ARGUMENT', 'ReferenceError', "'greeter' of module 'samples.mjs' has no property 'nope'"],
      [await session.call('samples.mjs#greeter.prefix'), 'INVALID_ARGUMENT', 'TypeError', "'samples.mjs#greeter.prefix' is not a function (it is a string)"],
      [await session.call('broken_syntax.mjs#ok'), 'INVALID_ARGUMENT', 'SyntaxError', 'broken_syntax.mjs:6)'],
      [await session.call('throws_on_load.mjs#f'), 'INVALID_ARGUMENT', 'RangeError', 'throws_on_load.mjs:4'],
      [await session.call('needs_missing.mjs#f'), 'INVALID_ARGUMENT', 'Error', "Cannot find package 'braid-no-such-dependency'"],
      [await session.call('no-hash'), 'INVALID_ARGUMENT', 'TypeError', "malformed function reference 'no-hash'"],
    ];
    for (const [out, code, type, part] of cases) {
      const f = out.failure;
      assert.ok(f, `expected a failure, got ${JSON.stringify(out)}`);
      assert.equal(f.code, code, f.message);
      assert.equal(f.type, type, f.message);
      assert.ok(f.message.includes(part), `${JSON.stringify(f.message)} should include ${JSON.stringify(part)}`);
      assert.equal(f.language, 'node');
    }
    assert.equal(valueOf(await session.call('samples.mjs#echo', ['still serving'])), 'still serving');
  });
});

describe('nested calls', T, () => {
  let w;
  let tmp;
  before(async () => {
    w = await startWorker();
    tmp = shortTmp();
  });
  after(() => w.cleanup());

  test('a NestedCall is sent and its nested_outcome resolves the call', async () => {
    const { session } = w;
    const callId = session.invoke('samples.mjs#nestedTax', [100], { remainingMs: 5000 });
    const nc = await session.expect('nested_call');
    assert.equal(nc.parent_call_id, callId);
    assert.equal(nc.function, 'python:pricing:tax');
    assert.deepEqual(json(nc.args), [100]);
    assert.ok(nc.remaining_ms > 0 && nc.remaining_ms <= 5000, `remaining_ms ${nc.remaining_ms}`);
    assert.equal(nc.initial_credit, 0);
    assert.ok(nc.call_id > 0);
    session.send({ nested_outcome: { call_id: nc.call_id, value: { encoding: 'json', data: Buffer.from('19.5') } } });
    assert.deepEqual(valueOf(await session.expect('outcome', callId)), { tax: 19.5 });
  });

  test('callWith sends kwargs and the smaller timeout', async () => {
    const { session } = w;
    const callId = session.invoke('samples.mjs#nestedWith', [5], { remainingMs: 60_000 });
    const nc = await session.expect('nested_call', undefined, { where: (m) => m.parent_call_id === callId });
    assert.equal(nc.function, 'node:other.mjs#f');
    assert.deepEqual(json(nc.kwargs), { rate: 2 });
    assert.ok(nc.remaining_ms > 0 && nc.remaining_ms <= 1500, `remaining_ms ${nc.remaining_ms}`);
    session.send({ nested_outcome: { call_id: nc.call_id, value: { encoding: 'json', data: Buffer.from('"ok"') } } });
    assert.equal(valueOf(await session.expect('outcome', callId)), 'ok');
  });

  test('a nested failure rejects with a BraidError carrying the record', async () => {
    const { session } = w;
    const callId = session.invoke('samples.mjs#nestedFails');
    const nc = await session.expect('nested_call', undefined, { where: (m) => m.parent_call_id === callId });
    assert.equal(nc.remaining_ms, 0); // the caller has no deadline
    session.send({
      nested_outcome: {
        call_id: nc.call_id,
        failure: {
          code: 'APPLICATION',
          type: 'ValueError',
          message: 'bad amount',
          language: 'python',
          stack: 'Traceback ...',
          cause: { code: 'APPLICATION', type: 'KeyError', message: "'x'", language: 'python' },
        },
      },
    });
    assert.deepEqual(valueOf(await session.expect('outcome', callId)), {
      name: 'BraidError',
      code: 'APPLICATION',
      type: 'ValueError',
      message: 'bad amount',
      language: 'python',
      cause: "'x'",
      isBraid: true,
    });
  });

  test('cancelling the caller sends nested_cancel and rejects at once', async () => {
    const { session } = w;
    const marker = path.join(tmp, 'nested');
    const callId = session.invoke('samples.mjs#nestedWait', [marker]);
    const nc = await session.expect('nested_call', undefined, { where: (m) => m.parent_call_id === callId });
    session.cancel(callId, 'cancelled');
    const cancel = await session.expect('nested_cancel', nc.call_id);
    assert.equal(cancel.reason, 'cancelled');
    const f = (await session.expect('outcome', callId)).failure;
    assert.equal(f.code, 'CANCELLED');
    assert.equal(readFileSync(marker, 'utf8'), 'AbortError:cancelled');
    // A late nested_outcome for the cancelled nested call is ignored.
    session.send({ nested_outcome: { call_id: nc.call_id, value: { encoding: 'json', data: Buffer.from('1') } } });
    assert.equal(valueOf(await session.call('samples.mjs#echo', [1])), 1);
  });
});

describe('lifecycle', T, () => {
  let w;
  afterEach(() => w?.cleanup());

  test('max_in_flight is enforced', async () => {
    w = await startWorker({ BRAID_MAX_IN_FLIGHT: '1' });
    const tmp = shortTmp();
    const first = w.session.invoke('samples.mjs#waitForever', [path.join(tmp, 'm')]);
    await started(w.session, first);
    const f = (await w.session.call('samples.mjs#echo', [1])).failure;
    assert.equal(f.code, 'RESOURCE_EXHAUSTED');
    w.session.cancel(first);
    assert.equal((await w.session.expect('outcome', first)).failure.code, 'CANCELLED');
    assert.equal(valueOf(await w.session.call('samples.mjs#echo', [2])), 2);
  });

  test('a blocked event loop stops pongs', async () => {
    // Preloaded: spin is resolved already, so it starts (and blocks) as its Invoke is read.
    w = await startWorker({ BRAID_PRELOAD: 'samples.mjs' });
    w.session.ping(1);
    await w.session.expect('pong');
    w.session.invoke('samples.mjs#spin');
    w.session.ping(2);
    await assert.rejects(w.session.expect('pong', undefined, { timeout: 500 }), /timed out/);
  });

  test('SIGINT is ignored', async () => {
    w = await startWorker();
    process.kill(w.proc.pid, 'SIGINT');
    await sleep(100);
    w.session.ping(7);
    assert.equal((await w.session.expect('pong')).seq, 7);
    assert.equal(w.proc.child.exitCode, null);
  });

  test('Shutdown refuses new calls, aborts the rest with the reason, exits 0', async () => {
    w = await startWorker();
    const tmp = shortTmp();
    const marker = path.join(tmp, 'marker');
    const slow = w.session.invoke('samples.mjs#waitForever', [marker]);
    await started(w.session, slow);
    w.session.send({ shutdown: { grace_ms: 100, reason: 'shutdown' } }, invokeFrame(900, 'samples.mjs#echo', [1]));
    const refused = (await w.session.expect('outcome', 900)).failure;
    assert.equal(refused.code, 'UNAVAILABLE');
    assert.equal(refused.message, 'worker shutting down');
    const f = (await w.session.expect('outcome', slow)).failure;
    assert.equal(f.code, 'CANCELLED');
    assert.equal(f.reason, 'shutdown');
    assert.equal(readFileSync(marker, 'utf8'), 'AbortError:shutdown:shutdown:AbortError');
    await w.session.halfClosed;
    w.session.end();
    assert.equal(await w.proc.wait(), 0);
  });

  test('Shutdown lets calls finish within the grace', async () => {
    w = await startWorker();
    const callId = w.session.invoke('samples.mjs#beat', [1]); // takes ~0.3 s
    w.session.shutdown(5000);
    assert.equal(valueOf(await w.session.expect('outcome', callId)), 1);
    await w.session.halfClosed;
    w.session.end();
    assert.equal(await w.proc.wait(), 0);
  });

  test('Shutdown answers for a call that ignores its abort', async () => {
    w = await startWorker();
    const callId = w.session.invoke('samples.mjs#ignoreAbort', [60_000]);
    await started(w.session, callId);
    w.session.shutdown(100);
    const f = (await w.session.expect('outcome', callId)).failure;
    assert.equal(f.code, 'CANCELLED');
    assert.equal(f.reason, 'shutdown');
    assert.match(f.message, /abandoned at shutdown/);
    // The stream half-closes; even if the gateway never ends it the worker exits.
    assert.equal(await w.proc.wait(), 0);
    assert.equal(w.session.framesOf('outcome', callId).length, 1);
  });

  test('SIGTERM is a graceful shutdown', async () => {
    w = await startWorker();
    process.kill(w.proc.pid, 'SIGTERM');
    await w.session.halfClosed;
    w.session.end();
    assert.equal(await w.proc.wait(), 0);
  });

  test('the gateway vanishing aborts calls with worker_lost and the worker exits 1', async () => {
    w = await startWorker();
    const tmp = shortTmp();
    const marker = path.join(tmp, 'lost');
    const callId = w.session.invoke('samples.mjs#waitForever', [marker]);
    await started(w.session, callId);
    w.gateway.stop();
    assert.equal(await w.proc.wait(5000), 1);
    assert.equal(readFileSync(marker, 'utf8'), 'AbortError:worker_lost:worker_lost:AbortError');
    assert.match(w.proc.output, /gateway connection lost/);
  });

  test('the gateway ending the stream exits 0', async () => {
    w = await startWorker();
    w.session.end();
    assert.equal(await w.proc.wait(5000), 0);
  });

  test('@braid/worker resolves for ES modules outside the package', async () => {
    const dir = shortTmp();
    mkdirSync(path.join(dir, 'lib'));
    writeFileSync(
      path.join(dir, 'lib', 'outside.mjs'),
      "import { current } from '@braid/worker';\nexport async function where() { return current().function; }\n",
    );
    w = await startWorker({ BRAID_NODE_PATH: `${dir}/lib` });
    assert.equal(valueOf(await w.session.call('outside.mjs#where')), 'outside.mjs#where');
  });

  test('require(@braid/worker) works for CommonJS modules outside the package', async () => {
    const dir = shortTmp();
    writeFileSync(
      path.join(dir, 'outside.cjs'),
      "const { current } = require('@braid/worker');\nexports.where = async () => current().callId;\n",
    );
    w = await startWorker({ BRAID_NODE_PATH: dir });
    const callId = w.session.invoke('outside.cjs#where');
    assert.equal(valueOf(await w.session.expect('outcome', callId)), callId);
  });

  test('a module that does not import the API gets its context as the last argument', async () => {
    const dir = shortTmp();
    writeFileSync(
      path.join(dir, 'bare.mjs'),
      'export async function id(x, ctx) { await null; return [x, ctx.callId, ctx.function]; }\n',
    );
    w = await startWorker({ BRAID_NODE_PATH: dir });
    const callId = w.session.invoke('bare.mjs#id', ['x']);
    assert.deepEqual(valueOf(await w.session.expect('outcome', callId)), ['x', callId, 'bare.mjs#id']);
  });
});

describe('process', T, () => {
  test('cannot connect: exits 1 with one line', async () => {
    const dir = shortTmp();
    const proc = new WorkerProcess(workerEnv(path.join(dir, 'nobody.sock')));
    assert.equal(await proc.wait(), 1);
    const lines = proc.output.trim().split('\n');
    assert.equal(lines.length, 1, proc.output);
    assert.match(lines[0], /cannot connect to the gateway at unix:/);
  });

  test('a missing target is a configuration error', async () => {
    const env = workerEnv('x');
    delete env.BRAID_SOCKET;
    const proc = new WorkerProcess(env);
    assert.equal(await proc.wait(), 2);
    assert.match(proc.output, /BRAID_SOCKET/);
  });

  test('the parent watchdog kills a worker whose loop is blocked when its parent dies', async () => {
    const gateway = await new FakeGateway().start();
    const { spawn } = await import('node:child_process');
    const { MAIN } = await import('./helpers/gateway.mjs');
    // An intermediate parent starts the worker, as the gateway would, then is killed.
    const launcher = spawn(
      process.execPath,
      ['-e', `const c = require('node:child_process').spawn(process.execPath, [${JSON.stringify(MAIN)}], { stdio: 'inherit' }); console.log(c.pid); setInterval(() => {}, 1000);`],
      { env: workerEnv(gateway.socketPath, { BRAID_PRELOAD: 'samples.mjs' }), stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      const pid = await new Promise((resolve, reject) => {
        launcher.stdout.once('data', (d) => resolve(Number(String(d).trim())));
        launcher.once('exit', () => reject(new Error('launcher exited')));
      });
      const session = await gateway.accept();
      await session.expect('hello');
      session.send({ welcome: {} });
      session.invoke('samples.mjs#spin'); // preloaded: starts (and blocks) as it is read
      session.ping(5);
      await assert.rejects(session.expect('pong', undefined, { timeout: 500 }), /timed out/);
      launcher.kill('SIGKILL');
      const deadline = Date.now() + 10_000;
      while (alive(pid)) {
        assert.ok(Date.now() < deadline, `worker ${pid} still alive`);
        await sleep(50);
      }
    } finally {
      launcher.kill('SIGKILL');
      gateway.close();
    }
  });
});

function alive(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return state !== 'Z' && state !== 'X';
}
