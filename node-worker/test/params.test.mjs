/* eslint-disable no-unused-vars -- the functions exist for their parameter lists */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindKeywords, keywordNames, paramsOf, signatureText } from '../src/params.mjs';

const names = (fn) => paramsOf(fn).map((p) => p.name);

test('parameters of every function form, defaults with commas and brackets included', () => {
  assert.deepEqual(names(function f(a, b = [1, 2], { c, d } = {}, ...rest) {}), ['a', 'b', null, 'rest']);
  assert.deepEqual(names(async (x, y = ')') => x + y), ['x', 'y']);
  assert.deepEqual(names(async (x) => x), ['x']);
  assert.deepEqual(names({ method(a, b) {} }.method), ['a', 'b']);
  assert.deepEqual(names({ async *gen(n = Math.max(1, 2)) {} }.gen), ['n']);
  assert.deepEqual(names(class { static m(q) {} }.m), ['q']);
  assert.equal(signatureText(paramsOf(function f(a, { b: _b, c: _c } = {}) {})), '(a, { b: _b, c: _c } = {})');
});

test('functions without readable parameters say why', () => {
  assert.match(paramsOf(Math.max), /native or bound/);
  assert.match(paramsOf(function (a) {}.bind(null)), /native or bound/);
  assert.match(paramsOf(class A {}), /class/);
  assert.equal(signatureText(paramsOf(Math.max)), '');
});

test('bindKeywords fills by name, leaves defaults undefined, refuses what it cannot bind', () => {
  const params = paramsOf((name, greeting = 'hi', punct) => 0);
  assert.deepEqual(bindKeywords('r', params, [], { punct: '!', name: 'Ada' }), ['Ada', undefined, '!']);
  assert.deepEqual(bindKeywords('r', params, ['Ada'], { greeting: 'yo' }), ['Ada', 'yo']);
  assert.throws(() => bindKeywords('r', params, [], { nme: 'Ada' }), /'r' has no parameter 'nme' \(it has parameters name, greeting, punct\)/);
  assert.throws(() => bindKeywords('r', params, [], { punct: '!' }), /missing parameter 'name'/);
  assert.throws(() => bindKeywords('r', paramsOf((...all) => all), [], { a: 1 }), /has no parameter 'a' \(it has no named parameters\)/);
  assert.deepEqual(bindKeywords('r', paramsOf(({ a }) => a), [], { a: 1 }), [{ a: 1 }]);
});

test('keywordNames: what with: may name, or null when anything goes', () => {
  assert.deepEqual(keywordNames(paramsOf((a, b = 1, { c } = {}, ...rest) => 0)), ['a', 'b']);
  assert.equal(keywordNames(paramsOf(({ a }) => a)), null);
  assert.equal(keywordNames(paramsOf(Math.max)), null);
});
