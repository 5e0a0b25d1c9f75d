// The line the event-loop probe prints (see event-loop-probe.ts) and how the harness reads it.

import type { OwnedChild } from './processes.ts';

export const eventLoopMarker = 'BENCH_EVENT_LOOP ';

export interface EventLoopFigures {
  maxMs: number;
  p99Ms: number;
}

export function parseEventLoopLine(line: string): EventLoopFigures | undefined {
  if (!line.startsWith(eventLoopMarker)) return undefined;
  const figures = JSON.parse(line.slice(eventLoopMarker.length)) as EventLoopFigures;
  return typeof figures.maxMs === 'number' ? figures : undefined;
}

/**
 * Asks the probe in `child` for the event-loop delay since the last request (SIGUSR2), which also
 * starts a new window. Undefined when the child does not answer within `timeoutMs`.
 */
export function readEventLoop(child: OwnedChild, timeoutMs = 3000): Promise<EventLoopFigures | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      unsubscribe();
      resolve(undefined);
    }, timeoutMs);
    const unsubscribe = child.onLine((line) => {
      const figures = parseEventLoopLine(line);
      if (!figures) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(figures);
    });
    try {
      process.kill(child.pid, 'SIGUSR2');
    } catch {
      clearTimeout(timer);
      unsubscribe();
      resolve(undefined);
    }
  });
}
