import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counterOp, createMemoryCounters, type CounterResult } from './index.ts';

const minute = { periodMs: 60_000 };

function apply(counters: ReturnType<typeof createMemoryCounters>, ...ops: Parameters<typeof counterOp>[]): readonly CounterResult[] {
  return counters.apply(ops.map((op) => counterOp(...op))) as readonly CounterResult[];
}

test('an operation kept across calls counts on its key, as a new operation for the same key does', () => {
  const counters = createMemoryCounters({ now: () => 1_000 });
  const kept = counterOp('k', 1, 3, minute);
  assert.equal((counters.apply([kept]) as readonly CounterResult[])[0].count, 1);
  assert.equal((counters.apply([kept]) as readonly CounterResult[])[0].count, 2);
  assert.equal(apply(counters, ['k', 1, 3, minute])[0].count, 3, 'a fresh operation sees the kept one’s counts');
  const refused = (counters.apply([kept]) as readonly CounterResult[])[0];
  assert.equal(refused.allowed, false);
  assert.equal(refused.count, 3);
});

test('a kept operation starts a new window from zero once its window has ended', () => {
  const clock = { at: 1_000 };
  const counters = createMemoryCounters({ now: () => clock.at });
  const kept = counterOp('k', 1, 2, { periodMs: 10_000 });
  counters.apply([kept]);
  counters.apply([kept]);
  assert.equal((counters.apply([kept]) as readonly CounterResult[])[0].allowed, false);
  clock.at = 11_000;
  const renewed = (counters.apply([kept]) as readonly CounterResult[])[0];
  assert.equal(renewed.allowed, true);
  assert.equal(renewed.count, 1);
  assert.equal(renewed.resetMs, 10_000);
});

test('a kept operation whose entry a sweep removed counts again from zero, on the key’s new entry', () => {
  const clock = { at: 1_000 };
  const counters = createMemoryCounters({ now: () => clock.at, sweepAt: 2 });
  const kept = counterOp('k', 1, 10, { periodMs: 1_000 });
  counters.apply([kept]);
  counters.apply([kept]);
  // The window of `k` ends; new keys fill the map past `sweepAt`, and the sweep removes `k`.
  clock.at = 5_000;
  apply(counters, ['a', 1, 10, minute]);
  apply(counters, ['b', 1, 10, minute]);
  apply(counters, ['c', 1, 10, minute]);
  assert.equal((counters.apply([kept]) as readonly CounterResult[])[0].count, 1);
  assert.equal((counters.apply([kept]) as readonly CounterResult[])[0].count, 2);
  assert.equal(apply(counters, ['k', 0, 10, minute])[0].count, 2, 'the map’s entry is the one the kept operation counts on');
});

test('one operation applied to two sets of counters counts in each apart', () => {
  const first = createMemoryCounters({ now: () => 1_000 });
  const second = createMemoryCounters({ now: () => 1_000 });
  const kept = counterOp('k', 1, 10, minute);
  first.apply([kept]);
  first.apply([kept]);
  assert.equal((second.apply([kept]) as readonly CounterResult[])[0].count, 1);
  assert.equal((first.apply([kept]) as readonly CounterResult[])[0].count, 3);
  assert.equal((second.apply([kept]) as readonly CounterResult[])[0].count, 2);
});

test('counters closed forget their entries, and an operation kept from before counts from zero on new ones', async () => {
  const before = createMemoryCounters({ now: () => 1_000 });
  const kept = counterOp('k', 1, 10, minute);
  before.apply([kept]);
  await before.close();
  const after = createMemoryCounters({ now: () => 1_000 });
  assert.equal((after.apply([kept]) as readonly CounterResult[])[0].count, 1);
});
