// The lines the probe preloaded into Node processes under test prints (see event-loop-probe.ts),
// and how they are read. No imports: the probe runs inside the process under test.

export const eventLoopMarker = 'BENCH_EVENT_LOOP ';
export const heapMarker = 'BENCH_HEAP ';

/** SIGUSR2 asks for the event-loop window; SIGURG (ignored by default, unused by Node) for the heap. */
export const eventLoopSignal = 'SIGUSR2';
export const heapSignal = 'SIGURG';

export interface EventLoopFigures {
  maxMs: number;
  p99Ms: number;
}

export interface HeapFigures {
  /** V8 heap in use after full garbage collections, in MB of 2^20 bytes (as V8's --trace-gc prints). */
  usedMb: number;
  /** How long the collections took, for the log: the process was blocked that long. */
  gcMs: number;
}

export function parseEventLoopLine(line: string): EventLoopFigures | undefined {
  if (!line.startsWith(eventLoopMarker)) return undefined;
  const figures = JSON.parse(line.slice(eventLoopMarker.length)) as EventLoopFigures;
  return typeof figures.maxMs === 'number' ? figures : undefined;
}

export function parseHeapLine(line: string): HeapFigures | undefined {
  if (!line.startsWith(heapMarker)) return undefined;
  const figures = JSON.parse(line.slice(heapMarker.length)) as HeapFigures;
  return typeof figures.usedMb === 'number' ? figures : undefined;
}
