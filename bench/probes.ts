// How the harness asks the probe preloaded into a Node process under test (event-loop-probe.ts):
// a signal, answered by one stdout line.

import { attributionSignal, eventLoopSignal, heapSignal, parseEventLoopLine, parseHeapLine } from './probe-lines.ts';
import type { EventLoopFigures, HeapFigures } from './probe-lines.ts';
import { signalForLine } from './processes.ts';
import type { OwnedChild } from './processes.ts';

/**
 * Asks the probe in `child` for the event-loop delay since the last request (SIGUSR2), which also
 * starts a new window. Undefined when the child does not answer within `timeoutMs`.
 */
export function readEventLoop(child: OwnedChild, timeoutMs = 3000): Promise<EventLoopFigures | undefined> {
  return signalForLine(child, eventLoopSignal, parseEventLoopLine, timeoutMs);
}

/**
 * Asks the probe in `child` for its heap after full garbage collections. The collections block the
 * process for up to a few hundred milliseconds on a large heap, so the harness asks only between
 * measured runs. Undefined when the child does not answer within `timeoutMs`.
 */
export function readHeap(child: OwnedChild, timeoutMs = 15000): Promise<HeapFigures | undefined> {
  return signalForLine(child, heapSignal, parseHeapLine, timeoutMs);
}

/**
 * Turns on, in `child`'s probe, the attribution of event-loop blocks to the process's own CPU
 * time (`ownMaxMs` in the figures of every later window). False when the signal could not be sent.
 */
export function startAttribution(child: OwnedChild): boolean {
  try {
    process.kill(child.pid, attributionSignal);
    return true;
  } catch {
    return false;
  }
}
