// Preloaded into every Node process under test (`node --import bench/event-loop-probe.ts …`), so
// that the gateway itself carries no benchmark code. On SIGUSR2 it prints the event-loop delay
// seen since the previous SIGUSR2 as one stdout line (`BENCH_EVENT_LOOP {"maxMs":…,"p99Ms":…}`)
// and starts a new window: the harness signals once before and once after each measured window.
// Its cost is one libuv timer every millisecond, recorded in C++ without running JavaScript.
//
// The histogram records the time between two ticks of that timer, its interval included: an idle
// loop reads the resolution itself. The figures are the delay past the interval, so a block of
// 5 ms reads about 5–6 ms. (A 10 ms timer would hide most of a block shorter than the interval.)

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { eventLoopMarker } from './event-loop.ts';

const resolutionMs = 1;
const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
histogram.enable();

process.on('SIGUSR2', () => {
  const past = (ns: number) => Math.max(0, ns / 1e6 - resolutionMs);
  const figures = { maxMs: past(histogram.max), p99Ms: past(histogram.percentile(99)) };
  histogram.reset();
  process.stdout.write(eventLoopMarker + JSON.stringify(figures) + '\n');
});
