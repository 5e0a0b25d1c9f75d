import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEPT_PER_GENERATION, keptPerValue } from './limits.ts';

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

test('values used at least once a generation stay kept while others pass through', () => {
  let made = 0;
  const kept = keptPerValue('test-kept\u0000working-set', (value) => ({ value, serial: ++made }));
  const working = Array.from({ length: KEPT_PER_GENERATION / 2 }, (_, i) => `w${i}`);
  const first = working.map((value) => kept(value));
  let passing = 0;
  const rounds = 6;
  for (let round = 0; round < rounds; round++) {
    // Each round visits the working set in another order, a quarter of a generation of values
    // used once mixed in: the generations turn, the working set is never made again.
    const order = round % 2 === 0 ? working.map((_, i) => i).reverse() : working.map((_, i) => i);
    for (const i of order) {
      assert.equal(kept(working[i]), first[i]);
      if (i % 2 === 0) kept(`passing-${passing++}`);
    }
  }
  assert.equal(passing, rounds * KEPT_PER_GENERATION / 4);
  assert.equal(made, working.length + passing);
});

test('kept values are bounded: a value unused for two generations is dropped and made again on use', () => {
  let made = 0;
  const kept = keptPerValue('test-kept\u0000bound', (value) => ({ value, serial: ++made }));
  const first = kept('v0');
  for (let i = 1; i <= 2 * KEPT_PER_GENERATION; i++) kept(`v${i}`);
  const remade = kept('v0');
  assert.notEqual(remade, first, 'dropped once two generations had passed');
  assert.equal(remade.value, 'v0');
  assert.equal(made, 2 * KEPT_PER_GENERATION + 2);
});
