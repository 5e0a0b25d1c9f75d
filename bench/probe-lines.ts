// The lines the probe preloaded into Node processes under test prints (see event-loop-probe.ts),
// and how they are read. No imports: the probe runs inside the process under test.

export const eventLoopMarker = 'BENCH_EVENT_LOOP ';
export const heapMarker = 'BENCH_HEAP ';

/**
 * SIGUSR2 asks for the event-loop window; SIGURG (ignored by default, unused by Node) for the
 * heap; SIGWINCH (ignored by default; these processes have no terminal) turns on the attribution
 * of blocks to the process's own work (`ownBlockMs`), from then on.
 */
export const eventLoopSignal = 'SIGUSR2';
export const heapSignal = 'SIGURG';
export const attributionSignal = 'SIGWINCH';

export interface EventLoopFigures {
  maxMs: number;
  p99Ms: number;
  /**
   * Once attribution is on: the longest block in the window counted in the process's own CPU
   * time (`ownBlockMs`), so that a block in which the host ran something else does not count.
   */
  ownMaxMs?: number;
}

/**
 * The part of a block that the process's own work accounts for: the delay past the timer's
 * interval, at most the CPU time the process (all its threads) used meanwhile. A loop that waited
 * 15 ms while the process used 1 ms of CPU was not blocked by its own work: the host ran
 * something else on its core. On a process pinned to one core, CPU time never exceeds the wall
 * time; on several cores, threads running in parallel make this an upper bound.
 */
export function ownBlockMs(gapMs: number, intervalMs: number, cpuMs: number): number {
  return Math.max(0, Math.min(gapMs - intervalMs, cpuMs));
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
