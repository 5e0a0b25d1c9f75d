import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keptPerValue, MAX_KEPT } from './limits.ts';

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

test('kept values are bounded: past the bound everything is dropped and made again on use', () => {
  let made = 0;
  const kept = keptPerValue('test-kept\u0000bound', (value) => ({ value, serial: ++made }));
  const first = kept('v0');
  for (let i = 1; i <= MAX_KEPT; i++) kept(`v${i}`);
  const remade = kept('v0');
  assert.notEqual(remade, first, 'dropped once the bound was passed');
  assert.equal(remade.value, 'v0');
  assert.equal(made, MAX_KEPT + 2);
});
