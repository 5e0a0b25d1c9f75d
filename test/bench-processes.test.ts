// The benchmark harness's own children (bench/processes.ts): a paused child runs nothing until
// it is resumed, and one stopped while paused still ends. The paired phase relies on both when
// a pair's two sides are two gateway processes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChild } from '../bench/processes.ts';

const ticker = 'let n = 0; setInterval(() => console.log(`tick ${++n}`), 10);';

test('a paused child prints nothing until resumed, and a paused child still stops', async () => {
  const child = startChild({ name: 'ticker', tasksetPath: 'taskset', cpu: undefined, command: process.execPath, args: ['-e', ticker] });
  let ticks = 0;
  child.onLine((line) => {
    if (line.startsWith('tick ')) ticks++;
  });
  try {
    while (ticks < 3) await sleep(10);
    child.pause();
    // Lines already on their way through the pipe may still arrive just after the pause.
    await sleep(100);
    const paused = ticks;
    await sleep(300);
    assert.equal(ticks, paused, 'a paused child printed');
    child.resume();
    const deadline = Date.now() + 5000;
    while (ticks <= paused && Date.now() < deadline) await sleep(10);
    assert.ok(ticks > paused, 'a resumed child printed nothing');
    child.pause();
  } finally {
    await child.stop();
  }
  assert.equal(child.exited(), true);
});
