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
// - SIGURG: the V8 heap in use after two full garbage collections (`BENCH_HEAP {"usedMb":…}`):
//   what the process keeps alive, without the garbage a heap figure read at a random moment
//   carries. The collections block the process (tens to hundreds of milliseconds on a large
//   heap), so the harness asks only after a scenario's last run, never inside a measured window.
//   Bytecode is never flushed in these processes (see below), so that readings compare.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { eventLoopMarker, eventLoopSignal, heapMarker, heapSignal } from './probe-lines.ts';

const resolutionMs = 1;
const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
histogram.enable();

process.on(eventLoopSignal, () => {
  const past = (ns: number) => Math.max(0, ns / 1e6 - resolutionMs);
  const figures = { maxMs: past(histogram.max), p99Ms: past(histogram.percentile(99)) };
  histogram.reset();
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
