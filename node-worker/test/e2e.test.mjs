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
  before(async () => {
    w = await startWorker({ BRAID_PRELOAD: 'samples.mjs, legacy.cjs, broken_syntax.mjs' });
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
    assert.deepEqual([catalog['samples.mjs#greet'].keywords_known, catalog['samples.mjs#greet'].keywords], [true, ['name', 'greeting']]);
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
    // ... and in Hello with its cause and place, for braid check's error
    const errors = Object.fromEntries(hello.module_errors.map((m) => [m.module, m.message]));
    assert.match(errors['broken_syntax.mjs'], /^SyntaxError: .* \(\/.*broken_syntax\.mjs:\d+\)$/);
  });

  test('kwargs bind to parameters by name, and the context is never an argument', async () => {
    assert.deepEqual(valueOf(await w.session.call('samples.mjs#greet', [], { kwargs: { greeting: 'hi', name: 'Ada' } })), {
      text: 'hi Ada',
      argc: 2,
      hasContext: true,
    });
    // greet(name, greeting) called with one argument: the optional one keeps its default.
    assert.deepEqual(valueOf(await w.session.call('samples.mjs#greet', ['Ada'], { kwargs: {} })), {
      text: 'hello Ada',
      argc: 1,
      hasContext: true,
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

  test('sync generator streams against credit', async () => {
    const callId = w.session.invoke('samples.mjs#syncNumbers', [3], { credit: 1 });
    assert.equal(json((await w.session.expect('item', callId)).value), 0);
    w.session.credit(callId, 5);
    assert.equal(json((await w.session.expect('item', callId)).value), 10);
    assert.equal(json((await w.session.expect('item', callId)).value), 20);
    const out = await w.session.expect('outcome', callId);
    assert.equal(out.items, 3);
  });

  test('undefined is sent as null', async () => {
    assert.equal(valueOf(await w.session.call('samples.mjs#nothing')), null);
  });

  test('bad inputs, then a good call still works', async () => {
    const { session } = w;
    const cases = [
      [await session.call('samples.mjs#echo', [], { rawArgs: Buffer.from('[1,') }), 'INVALID_ARGUMENT', 'SyntaxError', "malformed args for 'samples.mjs#echo'"],
      [await session.call('samples.mjs#echo', [], { rawArgs: Buffer.from('{"x":1}') }), 'INVALID_ARGUMENT', 'TypeError', "args for 'samples.mjs#echo' must be a JSON array, got object"],
      [await session.call('samples.mjs#greet', [1], { kwargs: [1, 2] }), 'INVALID_ARGUMENT', 'TypeError', "kwargs for 'samples.mjs#greet' must be a JSON object, got array"],
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

  test('SIGTERM is a graceful shutdown', async () => {
    w = await startWorker();
    process.kill(w.proc.pid, 'SIGTERM');
    await w.session.halfClosed;
    w.session.end();
    assert.equal(await w.proc.wait(), 0);
  });

  test('the gateway vanishing is logged', async () => {
    // What the calls see and the exit code: the case table's gateway_vanishing_cancels_calls_and_exits_1.
    w = await startWorker();
    w.session.ping(1);
    await w.session.expect('pong'); // the worker has read the Welcome: it is connected
    w.gateway.stop();
    assert.equal(await w.proc.wait(5000), 1);
    assert.match(w.proc.output, /gateway connection lost/);
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

  test('a TypeScript module loads through tsx; keyword arguments bind to its parameters', async () => {
    const dir = shortTmp();
    writeFileSync(path.join(dir, 'util.ts'), 'export const twice = (n: number): number => n * 2;\n');
    writeFileSync(
      path.join(dir, 'main.ts'),
      "import { current } from '@braid/worker';\nimport { twice } from './util.ts';\n" +
        'export async function f(n: number, label: string = "n"): Promise<[string, number, number]> {\n' +
        '  return [label, twice(n), current().callId];\n}\n',
    );
    writeFileSync(path.join(dir, 'broken.ts'), 'export const ok = 1;\nexport function g(: number) {}\n');
    w = await startWorker({ BRAID_NODE_PATH: dir });
    const callId = w.session.invoke('main.ts#f', [], { kwargs: { n: 21 } });
    assert.deepEqual(valueOf(await w.session.expect('outcome', callId)), ['n', 42, callId]);
    const bad = await w.session.call('broken.ts#g');
    assert.equal(bad.failure.code, 'INVALID_ARGUMENT');
    assert.match(bad.failure.message, /^cannot load module 'broken\.ts' for 'broken\.ts#g': SyntaxError: Expected identifier but found ":" \(\/.*\/broken\.ts:2:18\)$/);
  });

  test('the context is never an argument: a trailing parameter gets data or undefined', async () => {
    const dir = shortTmp();
    writeFileSync(
      path.join(dir, 'bare.mjs'),
      'export async function id(x, ctx) { await null; return [x, typeof ctx]; }\n',
    );
    w = await startWorker({ BRAID_NODE_PATH: dir });
    const callId = w.session.invoke('bare.mjs#id', ['x']);
    assert.deepEqual(valueOf(await w.session.expect('outcome', callId)), ['x', 'undefined']);
  });

  test('a module that does not import the API can ask for the context by the marker symbol', async () => {
    const dir = shortTmp();
    writeFileSync(
      path.join(dir, 'bare.mjs'),
      'export async function id(ctx, x) { await null; return [x, ctx.callId, ctx.function]; }\n' +
        "id[Symbol.for('braid.worker.context')] = true;\n",
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
