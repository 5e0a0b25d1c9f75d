// Preloaded into every Node process under test (`node --import bench/event-loop-probe.ts …`), so
// that the gateway itself carries no benchmark code. It answers two signals, each with one stdout
// line (probe-lines.ts):
//
// - SIGUSR2: the event-loop delay seen since the previous SIGUSR2
//   (`BENCH_EVENT_LOOP {"maxMs":…,"p99Ms":…}`), and a new window starts: the harness signals once
//   before and once after each measured window. Its cost is one libuv timer every millisecond,
//   recorded in C++ without running JavaScript. The histogram records the time between two ticks
//   of that timer, its interval included: an idle loop reads the resolution itself. The figures
//   are the delay past the interval, so a block of 5 ms reads about 5–6 ms. (A 10 ms timer would
//   hide most of a block shorter than the interval.)
// - SIGWINCH: from then on, also the longest block the process's own CPU time accounts for
//   (`ownMaxMs` in the SIGUSR2 line; see below and probe-lines.ts `ownBlockMs`).
// - SIGURG: the V8 heap in use after two full garbage collections (`BENCH_HEAP {"usedMb":…}`):
//   what the process keeps alive, without the garbage a heap figure read at a random moment
//   carries. The collections block the process (tens to hundreds of milliseconds on a large
//   heap), so the harness asks only after a scenario's last run, never inside a measured window.
//   Bytecode is never flushed in these processes (see below), so that readings compare.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread } from 'node:worker_threads';
import { attributionSignal, eventLoopMarker, eventLoopSignal, heapMarker, heapSignal, ownBlockMs } from './probe-lines.ts';
import type { EventLoopFigures } from './probe-lines.ts';

const resolutionMs = 1;
const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
histogram.enable();

// Attribution (SIGWINCH, once): a 1 ms timer in JavaScript notes each tick's delay and the CPU
// time the whole process used since the previous tick; the window keeps the longest delay that
// the process's own CPU time accounts for (probe-lines.ts `ownBlockMs`). Off until asked, since
// it costs a callback every millisecond; the harness turns it on for the reload step only.
let attribution: { lastMs: number; lastCpuMs: number; ownMaxMs: number } | undefined;
const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
// The probe is preloaded into worker threads too; only the main thread's loop is measured.
if (isMainThread) {
  process.on(attributionSignal, () => {
    if (attribution !== undefined) return;
    const state = (attribution = { lastMs: performance.now(), lastCpuMs: cpuMs(), ownMaxMs: 0 });
    setInterval(() => {
      const now = performance.now();
      const cpu = cpuMs();
      const own = ownBlockMs(now - state.lastMs, resolutionMs, cpu - state.lastCpuMs);
      if (own > state.ownMaxMs) state.ownMaxMs = own;
      state.lastMs = now;
      state.lastCpuMs = cpu;
    }, resolutionMs).unref();
  });
}

process.on(eventLoopSignal, () => {
  const past = (ns: number) => Math.max(0, ns / 1e6 - resolutionMs);
  const figures: EventLoopFigures = { maxMs: past(histogram.max), p99Ms: past(histogram.percentile(99)) };
  histogram.reset();
  if (attribution !== undefined) {
    figures.ownMaxMs = attribution.ownMaxMs;
    attribution.ownMaxMs = 0;
  }
  process.stdout.write(eventLoopMarker + JSON.stringify(figures) + '\n');
});

// `gc` of a new context exists once the flag is set; the process's own global stays as it was.
setFlagsFromString('--expose-gc');
// V8 drops the bytecode of functions that have not run for a few major collections (those used
// only at start), and how many ran by the time of a reading depends on the run: the same gateway
// read 27.9 MB or 32.4 MB. Kept, the code weighs the same in every reading, and a difference
// between two readings is the data alone.
setFlagsFromString('--no-flush-bytecode');
const gc = runInNewContext('gc') as () => void;

process.on(heapSignal, () => {
  const started = performance.now();
  // The second collection frees what the first only made unreachable (weak references, finalizers).
  gc();
  gc();
  const figures = { usedMb: process.memoryUsage().heapUsed / 2 ** 20, gcMs: performance.now() - started };
  process.stdout.write(heapMarker + JSON.stringify(figures) + '\n');
});
