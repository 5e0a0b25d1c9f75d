import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryCache } from './cache.ts';

test('entries expire after their duration', () => {
  const clock = { at: 0 };
  const cache = createMemoryCache({ now: () => clock.at });
  cache.set('k', 'v', 1000);
  clock.at = 999;
  assert.equal(cache.get('k'), 'v');
  clock.at = 1000;
  assert.equal(cache.get('k'), undefined);
  assert.equal(cache.size(), 0);
});

test('the least recently used entries go when the byte budget is spent', () => {
  const cache = createMemoryCache({ maxBytes: 1000, now: () => 0 });
  cache.set('a', 'x'.repeat(150), 10_000);
  cache.set('b', 'x'.repeat(150), 10_000);
  assert.equal(cache.get('a'), 'x'.repeat(150));
  cache.set('c', 'x'.repeat(150), 10_000);
  assert.equal(cache.get('b'), undefined, 'b was the least recently used');
  assert.ok(cache.get('a'));
  assert.ok(cache.get('c'));
  assert.ok(cache.size() <= 1000);
});

test('an entry larger than the budget, or with no duration, is not stored; delete removes', () => {
  const cache = createMemoryCache({ maxBytes: 100, now: () => 0 });
  cache.set('big', 'x'.repeat(100), 1000);
  assert.equal(cache.get('big'), undefined);
  cache.set('zero', 'v', 0);
  assert.equal(cache.get('zero'), undefined);
  cache.set('k', 1, 1000);
  assert.equal(cache.delete('k'), true);
  assert.equal(cache.get('k'), undefined);
});
