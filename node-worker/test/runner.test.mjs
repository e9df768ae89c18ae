import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CallContext } from '../src/context.mjs';
import { Code } from '../src/proto.mjs';
import { NestedCalls } from '../src/nested.mjs';
import { Resolver, callback, targetOf, withContext } from '../src/resolve.mjs';
import { CallRunner, decodeArgs } from '../src/runner.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'bnw-runner-'));
writeFileSync(path.join(dir, 'm.mjs'), 'export async function echo(x) { return x; }\n');

/** A writer stand-in that keeps frames in order. */
function fakeWriter() {
  const frames = [];
  return { frames, frame: (f) => (frames.push(f), true) };
}

function setup(fns = {}) {
  const writer = fakeWriter();
  const resolver = new Resolver([dir]);
  for (const [name, fn] of Object.entries(fns)) {
    resolver._cache.set(name, targetOf(name, fn));
  }
  const calls = new Map();
  const nested = new NestedCalls(writer);
  const runner = new CallRunner(writer, resolver, calls, nested);
  const host = { armHeartbeat() {}, nested };
  let nextId = 1;
  const start = (ref, args = [], inv = {}) => {
    const callId = nextId++;
    const ctx = new CallContext(callId, ref, 1, inv.remaining_ms ? performance.now() + inv.remaining_ms : null, host);
    calls.set(callId, ctx);
    runner.run(ctx, { call_id: callId, function: ref, args: { encoding: 'json', data: Buffer.from(JSON.stringify(args)) }, ...inv });
    return ctx;
  };
  const outcome = async (ctx) => {
    const deadline = performance.now() + 5000;
    while (performance.now() < deadline) {
      const found = writer.frames.find((f) => f.outcome?.call_id === ctx.callId);
      if (found) return found.outcome;
      await new Promise((resolve) => {
        setTimeout(resolve, 1);
      });
    }
    throw new Error(`no outcome for call ${ctx.callId}`);
  };
  return { writer, runner, calls, start, outcome };
}

const value = (o) => JSON.parse(o.value.data.toString('utf8'));

test('a sync function settles within run(); the call leaves the table', async () => {
  const { start, calls, writer } = setup({ 'f#add': (a, b) => a + b });
  const ctx = start('f#add', [2, 3]);
  assert.equal(writer.frames.length, 1, 'queued synchronously');
  assert.equal(value(writer.frames[0].outcome), 5);
  assert.equal(calls.size, 0);
  assert.equal(ctx._done, true);
});

const KWARGS = (obj) => ({ kwargs: { encoding: 'json', data: Buffer.from(JSON.stringify(obj)) } });

test('the context is never an argument: an optional parameter left out stays undefined', async () => {
  let seen;
  const { start, outcome } = setup({
    'f#greet': function greet(name, greeting = 'VIP') {
      seen = arguments.length;
      return `${name}, ${greeting}`;
    },
  });
  assert.equal(value(await outcome(start('f#greet', ['Ada']))), 'Ada, VIP');
  assert.equal(seen, 1);
});

test('withContext passes the context as the first argument, before the data', async () => {
  let seen;
  const { start, outcome } = setup({ 'f#f': withContext((...all) => ((seen = all), 1)) });
  const ctx = start('f#f', [1, 2]);
  await outcome(ctx);
  assert.equal(seen[0], ctx);
  assert.deepEqual(seen.slice(1), [1, 2]);
});

test('keyword arguments bind to parameters by name, in any order, after positional ones', async () => {
  const { start, outcome } = setup({
    'f#greet': (name, greeting = 'hello', punct = '.') => `${greeting} ${name}${punct}`,
    'f#ctx': withContext((ctx, name, greeting) => `${greeting} ${name} ${typeof ctx.callId}`),
  });
  assert.equal(value(await outcome(start('f#greet', [], KWARGS({ greeting: 'hi', name: 'Ada' })))), 'hi Ada.');
  assert.equal(value(await outcome(start('f#greet', ['Ada'], KWARGS({ punct: '!' })))), 'hello Ada!');
  assert.equal(value(await outcome(start('f#ctx', [], KWARGS({ greeting: 'hi', name: 'Ada' })))), 'hi Ada number');
});

test('a lone destructured parameter receives the keyword object', async () => {
  const { start, outcome } = setup({ 'f#greet': ({ name, greeting }) => `${greeting} ${name}` });
  assert.equal(value(await outcome(start('f#greet', [], KWARGS({ greeting: 'hi', name: 'Ada' })))), 'hi Ada');
});

test('keyword arguments that cannot bind fail INVALID_ARGUMENT with a sentence saying how to call', async () => {
  const { start, outcome } = setup({
    'f#greet': (name, greeting) => `${greeting} ${name}`,
    'f#bound': function (name) {
      return name;
    }.bind(null),
  });
  const cases = [
    [start('f#greet', [], KWARGS({ nme: 'Ada' })), /'f#greet' has no parameter 'nme' \(it has parameters name, greeting\)/],
    [start('f#greet', ['Ada'], KWARGS({ name: 'Bo' })), /got parameter 'name' twice/],
    [start('f#greet', [], KWARGS({ greeting: 'hi' })), /missing parameter 'name'/],
    [start('f#bound', [], KWARGS({ name: 'Ada' })), /parameter names are unknown; call it with positional arguments \(args:\)/],
  ];
  for (const [ctx, message] of cases) {
    const f = (await outcome(ctx)).failure;
    assert.equal(f.code, Code.INVALID_ARGUMENT);
    assert.equal(f.type, 'TypeError');
    assert.match(f.message, /^invalid arguments for 'f#\w+': /);
    assert.match(f.message, message);
  }
});

test('first resolution is asynchronous, later ones hit the cache', async () => {
  const { start, outcome, runner } = setup();
  assert.equal(value(await outcome(start('m.mjs#echo', ['a']))), 'a');
  assert.ok(runner._resolver.cached('m.mjs#echo'));
});

test('a function that throws synchronously fails the call, not the runner', async () => {
  const { start, outcome } = setup({
    'f#boom': () => {
      throw new RangeError('sync boom');
    },
  });
  const f = (await outcome(start('f#boom'))).failure;
  assert.equal(f.code, Code.APPLICATION);
  assert.equal(f.type, 'RangeError');
});

test('callback functions: the first cb call wins, a truthy err rejects', async () => {
  const { start, outcome } = setup({
    'f#cb': callback((x, cb) => {
      cb(null, x * 2);
      cb(new Error('ignored'));
    }),
    'f#cbErr': callback((cb) => cb(new TypeError('cb failed'))),
  });
  assert.equal(value(await outcome(start('f#cb', [4]))), 8);
  assert.equal((await outcome(start('f#cbErr'))).failure.type, 'TypeError');
});

test('a rejection after the abort is CANCELLED with the reason; a value is still the value', async () => {
  let release;
  const gate = new Promise((resolve) => {
    release = resolve;
  });
  const { start, outcome } = setup({
    'f#rejects': async (ctx) => {
      await gate;
      throw ctx.signal.reason;
    },
    'f#resolves': async () => {
      await gate;
      return 'done anyway';
    },
  });
  const a = start('f#rejects');
  const b = start('f#resolves');
  a._cancel('race_lost');
  b._cancel('race_lost');
  release();
  const fa = (await outcome(a)).failure;
  assert.equal(fa.code, Code.CANCELLED);
  assert.equal(fa.type, 'AbortError');
  assert.equal(fa.reason, 'race_lost');
  assert.equal(value(await outcome(b)), 'done anyway');
});

test('an abandoned call (done) gets no second outcome', async () => {
  let release;
  const gate = new Promise((resolve) => {
    release = resolve;
  });
  const { start, writer } = setup({ 'f#slow': async () => gate });
  const ctx = start('f#slow');
  ctx._end();
  release(1);
  await new Promise((resolve) => {
    setImmediate(resolve);
  });
  assert.equal(writer.frames.length, 0);
});

test('streams: items against credit, then a null outcome with the count', async () => {
  const { start, writer, outcome, calls } = setup({
    'f#gen': async function* (n) {
      for (let i = 0; i < n; i++) yield i;
    },
  });
  const ctx = start('f#gen', [3], { initial_credit: 2 });
  await new Promise((resolve) => {
    setTimeout(resolve, 20);
  });
  assert.equal(writer.frames.filter((f) => f.item).length, 2);
  ctx._credit += 1;
  ctx._creditWake();
  const out = await outcome(ctx);
  assert.equal(out.items, 3);
  assert.equal(value(out), null);
  assert.deepEqual(
    writer.frames.filter((f) => f.item).map((f) => f.item.seq),
    [0, 1, 2],
  );
  assert.equal(calls.size, 0);
});

test('an unserializable item fails the stream and closes the generator', async () => {
  let closed = false;
  const { start, outcome } = setup({
    'f#gen': function* () {
      try {
        yield 1n;
      } finally {
        closed = true;
      }
    },
  });
  const f = (await outcome(start('f#gen', [], { initial_credit: 5 }))).failure;
  assert.equal(f.code, Code.INVALID_ARGUMENT);
  assert.equal(f.type, 'NotSerializable');
  assert.equal(f.message, 'cannot send the stream item of f#gen as JSON: $ has no JSON form (BigInt)');
  assert.equal(closed, true);
});

test('a result that breaks the JSON rule is NotSerializable, with its path', async () => {
  const root = { items: [{ price: 1 }, {}] };
  root.items[1].price = root;
  const { start, outcome } = setup({
    'f#nan': () => ({ items: [{ price: 1 }, { price: NaN }] }),
    'f#cycle': () => root,
    'f#undef': async () => [undefined],
  });
  for (const [fn, problem] of [
    ['f#nan', '$.items[1].price is NaN'],
    ['f#cycle', '$.items[1].price refers back to $ (a cycle)'],
    ['f#undef', '$[0] is undefined'],
  ]) {
    const f = (await outcome(start(fn))).failure;
    assert.deepEqual([f.code, f.type, f.message], [Code.INVALID_ARGUMENT, 'NotSerializable', `cannot send the result of ${fn} as JSON: ${problem}`]);
  }
});

test('decodeArgs: empty and null args are [], kwargs must be an object', () => {
  assert.deepEqual(decodeArgs('r', {}), { args: [], kwargs: null });
  assert.deepEqual(decodeArgs('r', { args: { encoding: 'json', data: Buffer.from('null') } }), { args: [], kwargs: null });
  assert.deepEqual(decodeArgs('r', { kwargs: { encoding: 'json', data: Buffer.from('{}') } }), { args: [], kwargs: null });
  assert.throws(() => decodeArgs('r', { args: { encoding: 'msgpack', data: Buffer.from('[]') } }), (e) => /unsupported args encoding 'msgpack'/.test(e.record.message));
  assert.throws(() => decodeArgs('r', { args: { data: Buffer.from('[]') }, kwargs: { data: Buffer.from('3') } }), (e) => e.record.message === "kwargs for 'r' must be a JSON object, got number");
});

test('hostile results still settle the call', async () => {
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
    },
  );
  const { start, outcome } = setup({ 'f#proxy': () => hostile, 'f#asyncProxy': async () => [hostile] });
  const f = (await outcome(start('f#proxy'))).failure;
  assert.equal(f.message, 'trap');
  const g = (await outcome(start('f#asyncProxy'))).failure;
  assert.equal(g.code, Code.INVALID_ARGUMENT);
  assert.equal(g.message, 'cannot send the result of f#asyncProxy as JSON: $[0] could not be read (trap)');
});
