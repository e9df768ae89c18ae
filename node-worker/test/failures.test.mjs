import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code } from '../src/proto.mjs';
import { BraidError, MAX_CAUSE_DEPTH, cleanStack, failure, fromError, typeName } from '../src/failures.mjs';

const json = (p) => JSON.parse(p.data.toString('utf8'));

test('an Error becomes an APPLICATION record with its stack and cause chain', () => {
  const inner = new RangeError('inner');
  const rec = fromError(new TypeError('outer', { cause: inner }));
  assert.equal(rec.code, Code.APPLICATION);
  assert.equal(rec.type, 'TypeError');
  assert.equal(rec.message, 'outer');
  assert.equal(rec.language, 'node');
  assert.equal(rec.retryable, false);
  assert.match(rec.stack, /^TypeError: outer\n\s+at /);
  assert.equal(rec.cause.type, 'RangeError');
  assert.equal(rec.cause.message, 'inner');
  assert.equal(rec.cause.cause, undefined);
});

test('cause chains are bounded, cycles included', () => {
  const a = new Error('a');
  a.cause = a;
  let rec = fromError(a);
  let depth = 1;
  while (rec.cause) {
    rec = rec.cause;
    depth += 1;
  }
  assert.equal(depth, MAX_CAUSE_DEPTH);
});

test('subclasses that keep name "Error" report their class name', () => {
  class OutOfStock extends Error {}
  assert.equal(typeName(new OutOfStock('x')), 'OutOfStock');
  class Named extends Error {
    name = 'shop.Named';
  }
  assert.equal(fromError(new Named('x')).type, 'shop.Named');
});

test('AggregateError: errors in details, the first as cause', () => {
  const rec = fromError(new AggregateError([new TypeError('one'), 2], 'many'));
  assert.equal(rec.type, 'AggregateError');
  assert.deepEqual(json(rec.details), [
    { type: 'TypeError', message: 'one' },
    { type: 'NonErrorRejection', message: '2' },
  ]);
  assert.equal(rec.cause.type, 'TypeError');
});

test('non-Error values: NonErrorRejection with the value as details', () => {
  const rec = fromError({ a: 1 });
  assert.equal(rec.type, 'NonErrorRejection');
  assert.equal(rec.message, '[object Object]');
  assert.deepEqual(json(rec.details), { a: 1 });
  const big = fromError(10n);
  assert.equal(big.message, '10');
  assert.deepEqual(json(big.details), { unserializable: '10' });
  assert.equal(fromError(undefined).message, 'undefined');
  assert.equal(fromError(new Error('x', { cause: 'why' })).cause.type, 'NonErrorCause');
});

test('hostile errors still give a record', () => {
  const hostile = new Error('x');
  Object.defineProperty(hostile, 'message', {
    get() {
      throw new Error('no');
    },
  });
  const rec = fromError(hostile);
  assert.equal(rec.type, 'Error');
  assert.equal(typeof rec.message, 'string');
  const proxy = new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
    },
  );
  assert.equal(fromError(proxy).type, 'NonErrorRejection');
});

test('BraidError chooses code, type, retryable and details', () => {
  const rec = fromError(new BraidError('gone', { code: 'UNAVAILABLE', type: 'shop.Gone', details: { id: 1 } }));
  assert.equal(rec.code, Code.UNAVAILABLE);
  assert.equal(rec.type, 'shop.Gone');
  assert.equal(rec.retryable, true); // the default for UNAVAILABLE
  assert.deepEqual(json(rec.details), { id: 1 });
  assert.equal(fromError(new BraidError('x')).type, 'BraidError');
  assert.equal(fromError(new BraidError('x', { retryable: true })).retryable, true);
  assert.throws(() => new BraidError('x', { code: 'NOPE' }), /unknown failure code: 'NOPE'/);
});

test('BraidError.fromFailure keeps the remote record; thrown on, it is that record', () => {
  const record = {
    code: Code.APPLICATION,
    type: 'ValueError',
    message: 'bad',
    language: 'python',
    stack: 'Traceback (most recent call last): ...',
    retryable: false,
    reason: '',
    details: { encoding: 'json', data: Buffer.from('{"k":1}') },
    cause: { code: Code.APPLICATION, type: 'KeyError', message: "'k'", language: 'python' },
  };
  const err = BraidError.fromFailure(record);
  assert.equal(err.code, 'APPLICATION');
  assert.equal(err.type, 'ValueError');
  assert.equal(err.language, 'python');
  assert.deepEqual(err.details, { k: 1 });
  assert.equal(err.cause.type, 'KeyError');
  assert.equal(err.stack, record.stack);
  const rec = fromError(new Error('wrapped', { cause: err }));
  assert.equal(rec.cause.type, 'ValueError');
  assert.equal(rec.cause.language, 'python');
  assert.equal(rec.cause.cause.type, 'KeyError');
});

test('overrides win; failure() builds plain records', () => {
  const rec = fromError(new Error('x'), { code: Code.DEADLINE_EXCEEDED, type: 'TimeoutError', reason: 'deadline_exceeded' });
  assert.equal(rec.code, Code.DEADLINE_EXCEEDED);
  assert.equal(rec.retryable, true);
  assert.equal(rec.reason, 'deadline_exceeded');
  assert.deepEqual(failure(Code.UNAVAILABLE, 'Unavailable', 'worker shutting down'), {
    code: Code.UNAVAILABLE,
    type: 'Unavailable',
    message: 'worker shutting down',
    language: 'node',
    retryable: true,
  });
});

test("cleanStack drops the worker's own frames but never everything", () => {
  const src = new URL('../src/runner.mjs', import.meta.url).href;
  const stack = `Error: x\n    at user (file:///app/f.mjs:1:1)\n    at runCall (${src}:10:5)\n    at AsyncLocalStorage.run (node:async_hooks:346:14)`;
  assert.equal(cleanStack(stack), 'Error: x\n    at user (file:///app/f.mjs:1:1)');
  const ours = `Error: x\n    at runCall (${src}:10:5)`;
  assert.equal(cleanStack(ours), ours);
  assert.equal(cleanStack(undefined), '');
});
