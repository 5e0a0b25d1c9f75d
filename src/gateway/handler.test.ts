import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoNow } from './handler.ts';

test('isoNow writes what Date#toISOString writes, across seconds, milliseconds and years', () => {
  const times = [
    0,
    1,
    999,
    1000,
    Date.UTC(2026, 10, 23, 16, 26, 13, 7),
    Date.UTC(2026, 10, 23, 16, 26, 13, 70),
    Date.UTC(2026, 10, 23, 16, 26, 13, 700),
    Date.UTC(2026, 10, 23, 16, 26, 14, 0),
    Date.UTC(1999, 11, 31, 23, 59, 59, 999),
    Date.UTC(2000, 0, 1, 0, 0, 0, 0),
    Date.UTC(12000, 0, 1, 0, 0, 0, 5),
  ];
  // In order, back and forth, so the kept second is both reused and replaced.
  for (const t of [...times, ...times.reverse(), ...times]) assert.equal(isoNow(t), new Date(t).toISOString(), String(t));
  for (let t = Date.UTC(2026, 0, 1, 0, 0, 59, 990); t < Date.UTC(2026, 0, 1, 0, 1, 0, 20); t++) assert.equal(isoNow(t), new Date(t).toISOString());
});
