// The JSON rule (docs/architecture.md): what cannot be sent, and the path that names it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_DEPTH, NotSerializable, stringify } from '../src/json.mjs';

function problem(value) {
  try {
    const text = stringify(value);
    return assert.fail(`expected NotSerializable, got ${text}`);
  } catch (e) {
    assert.ok(e instanceof NotSerializable, String(e));
    return e.problem;
  }
}

const priced = (bad) => ({ items: [{ price: 1 }, { price: bad }] });

function nested(levels) {
  let v = 0;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

for (const [name, bad, words] of [
  ['NaN', NaN, 'is NaN'],
  ['Infinity', Infinity, 'is Infinity'],
  ['-Infinity', -Infinity, 'is -Infinity'],
  ['a boxed NaN', new Number(NaN), 'is NaN'],
  ['a BigInt', 1n, 'has no JSON form (BigInt)'],
  ['a function', () => 1, 'has no JSON form (function)'],
  ['a symbol', Symbol('s'), 'has no JSON form (symbol)'],
  ['a Map', new Map([[1, 2]]), 'has no JSON form (Map)'],
  ['a Set', new Set([1]), 'has no JSON form (Set)'],
  ['a Promise', Promise.resolve(1), 'has no JSON form (Promise)'],
  ['a Buffer', Buffer.from('x'), 'has no JSON form (Buffer)'],
  ['a Uint8Array', new Uint8Array(2), 'has no JSON form (Uint8Array)'],
]) {
  test(`${name} is refused, named by its path`, () => {
    assert.equal(problem(priced(bad)), `$.items[1].price ${words}`);
  });
}

test('a bad value at the top is $', () => {
  assert.equal(problem(NaN), '$ is NaN');
  assert.equal(problem(() => 1), '$ has no JSON form (function)');
});

test('undefined: null at the top, left out of an object, refused in an array', () => {
  assert.equal(stringify(undefined), 'null');
  assert.equal(stringify({ a: undefined, b: 1 }), '{"b":1}');
  assert.equal(problem([1, undefined]), '$[1] is undefined');
});

test('keys that are not names are quoted', () => {
  assert.equal(problem({ 'a b': [Infinity] }), '$["a b"][0] is Infinity');
});

test('a cycle names where it closes; a shared value is not a cycle', () => {
  const root = { items: [{ price: 1 }, {}] };
  root.items[1].price = root;
  assert.equal(problem(root), '$.items[1].price refers back to $ (a cycle)');
  const shared = [1];
  assert.equal(stringify([shared, shared]), '[[1],[1]]');
});

test(`the depth limit is ${MAX_DEPTH} containers`, () => {
  assert.equal(MAX_DEPTH, 512);
  assert.deepEqual(JSON.parse(stringify(nested(512))), nested(512));
  assert.equal(problem(nested(513)), `$${'[0]'.repeat(16)}... is nested deeper than 512 levels`);
  assert.match(problem(nested(100_000)), /is nested deeper than 512 levels$/);
});

test('toJSON and class instances are written as JSON.stringify writes them', () => {
  class Point {
    constructor() {
      this.x = 1;
      this.y = 2;
    }
  }
  assert.equal(stringify({ when: new Date(0), p: new Point() }), '{"when":"1970-01-01T00:00:00.000Z","p":{"x":1,"y":2}}');
  assert.equal(problem({ p: { toJSON: () => NaN } }), '$.p is NaN');
});

test('a throwing getter is named, not thrown', () => {
  const hostile = new Proxy({}, { get() { throw new Error('trap'); } });
  assert.equal(problem({ x: hostile }), '$.x could not be read (trap)');
});
