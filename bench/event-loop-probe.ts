// Preloaded into every Node process under test (`node --import bench/event-loop-probe.ts …`), so
// that the gateway itself carries no benchmark code. On SIGUSR2 it prints the event-loop delay
// seen since the previous SIGUSR2 as one stdout line (`BENCH_EVENT_LOOP {"maxMs":…,"p99Ms":…}`)
// and starts a new window: the harness signals once before and once after each measured window.
// Its cost is one libuv timer every 10 ms.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { eventLoopMarker } from './event-loop.ts';

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();

process.on('SIGUSR2', () => {
  const figures = { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 };
  histogram.reset();
  process.stdout.write(eventLoopMarker + JSON.stringify(figures) + '\n');
});
