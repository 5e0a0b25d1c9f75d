import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEPT_VALUES, keptPerValue, keptValueCount } from './limits.ts';

test('what a limit makes of a counter-key value is made once per value and shared by equal ids', () => {
  let made = 0;
  const a = keptPerValue('test-kept\u0000a', (value) => ({ value, serial: ++made }));
  const again = keptPerValue('test-kept\u0000a', (value) => ({ value, serial: ++made }));
  const first = a('client-1');
  assert.equal(a('client-1'), first, 'the same object for the same value');
  assert.equal(again('client-1'), first, 'another policy with the same id shares it');
  assert.notEqual(a('client-2'), first);
  assert.equal(made, 2);
});

test('a working set found again between sweeps is made once, in any order, while other values pass through', () => {
  let made = 0;
  const kept = keptPerValue('test-kept\u0000working-set', (value) => ({ value, serial: ++made }));
  const working = Array.from({ length: KEPT_VALUES / 4 }, (_, i) => `w${i}`);
  const first = working.map((value) => kept(value));
  let passing = 0;
  const rounds = 24;
  for (let round = 0; round < rounds; round++) {
    // Each round visits the working set forwards or backwards with values used once mixed in,
    // fewer than a quarter of the bound between two visits of a working value: more than twice
    // the bound passes through in all, so the sweeps run again and again.
    const order = round % 2 === 0 ? working.map((_, i) => i).reverse() : working.map((_, i) => i);
    for (const i of order) {
      assert.equal(kept(working[i]), first[i]);
      if (i % 16 === 0) for (let p = 0; p < 7; p++) kept(`passing-${passing++}`);
      assert.ok(keptValueCount() <= KEPT_VALUES);
    }
  }
  assert.ok(passing > 2 * KEPT_VALUES);
  assert.equal(made, working.length + passing, 'the working set was never made again');
});

test('a value not found again is dropped at the next sweep and made again on use', () => {
  let made = 0;
  const kept = keptPerValue('test-kept\u0000unused', (value) => ({ value, serial: ++made }));
  const first = kept('v0');
  for (let i = 1; i <= 2 * KEPT_VALUES; i++) kept(`v${i}`);
  const remade = kept('v0');
  assert.notEqual(remade, first, 'dropped by the sweep that ran meanwhile');
  assert.equal(remade.value, 'v0');
  assert.equal(made, 2 * KEPT_VALUES + 2);
});

test('values all in use beyond the bound: the oldest go, the bound holds, every value is right', () => {
  let made = 0;
  const a = keptPerValue('test-kept\u0000cycle-a', (value) => ({ value, id: 'a', serial: ++made }));
  const b = keptPerValue('test-kept\u0000cycle-b', (value) => ({ value, id: 'b', serial: ++made }));
  // A cycle through one and a quarter times the bound, over two ids, each value found again at
  // once: every value is in use at each sweep, so sweeps must drop values in use to make room.
  const cycle = Array.from({ length: (KEPT_VALUES * 5) / 8 }, (_, i) => `c${i}`);
  for (let round = 0; round < 4; round++) {
    for (const value of cycle) {
      for (const [kept, id] of [[a, 'a'], [b, 'b']] as const) {
        const once = kept(value);
        assert.equal(kept(value), once);
        assert.equal(once.value, value);
        assert.equal(once.id, id);
      }
    }
    assert.ok(keptValueCount() <= KEPT_VALUES, `round ${round}: ${keptValueCount()} kept`);
  }
  assert.ok(made > cycle.length * 2, 'values were dropped and made again');
});

test('a value that is the holder’s name is kept on the holder, the same object as in the map', () => {
  let made = 0;
  const kept = keptPerValue('test-kept\u0000holder', (value) => ({ value, serial: ++made }));
  const holder = { name: 'sub-1', keptValues: undefined as unknown[] | undefined };
  const first = kept('sub-1', holder);
  assert.ok(holder.keptValues !== undefined && holder.keptValues.includes(first), 'kept on the holder');
  assert.equal(kept('sub-1', holder), first);
  assert.equal(kept('sub-1'), first, 'the map holds the same object');
  assert.equal(kept('sub-1', { name: 'sub-1', keptValues: undefined }), first, 'another holder of the same name gets it too');
  assert.equal(made, 1);
  const other = kept('client-9', holder);
  assert.equal(other.value, 'client-9', 'a value other than the name is kept by value');
  assert.equal(holder.keptValues.filter((v) => v !== undefined).length, 1, 'and not on the holder');
  assert.equal(kept(['sub', '-1'].join(''), holder), first, 'equal text, another string object');
});

test('each id keeps its own value on a holder', () => {
  const a = keptPerValue('test-kept\u0000holder-a', (value) => `a:${value}`);
  const b = keptPerValue('test-kept\u0000holder-b', (value) => `b:${value}`);
  const holder = { name: 'sub-2', keptValues: undefined as unknown[] | undefined };
  assert.equal(a('sub-2', holder), 'a:sub-2');
  assert.equal(b('sub-2', holder), 'b:sub-2');
  assert.equal(a('sub-2', holder), 'a:sub-2');
  assert.equal(b('sub-2', holder), 'b:sub-2');
});
