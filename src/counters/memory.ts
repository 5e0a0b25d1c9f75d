import { alignedWindow, type CounterOp, type CounterResult, type Counters, type CounterWindow } from './counters.ts';

export interface MemoryCountersOptions {
  /** The clock, epoch milliseconds. */
  readonly now?: () => number;
  /** Expired entries are swept when the map grows past this many keys. */
  readonly sweepAt?: number;
}

interface Entry {
  count: number;
  endsAt: number;
}

/** Counters of one process: exact for one gateway replica. Answers synchronously. */
export function createMemoryCounters(options: MemoryCountersOptions = {}): Counters {
  const now = options.now ?? Date.now;
  const sweepAt = options.sweepAt ?? 10_000;
  const entries = new Map<string, Entry>();
  let nextSweep = sweepAt;

  const sweep = (at: number): void => {
    for (const [key, entry] of entries) if (entry.endsAt <= at) entries.delete(key);
    nextSweep = Math.max(sweepAt, entries.size * 2);
  };

  const one = (at: number, key: string, amount: number, limit: number, window: CounterWindow): CounterResult => {
    // One entry per key: an aligned window that has ended is over at `endsAt` like any other,
    // so the next one starts from zero in the same entry.
    let entry = entries.get(key);
    if (entry !== undefined && entry.endsAt <= at) {
      entries.delete(key);
      entry = undefined;
    }
    const current = entry === undefined ? 0 : entry.count;
    const endsAt = entry === undefined ? windowEnd(at, window) : entry.endsAt;
    const resetMs = Math.max(0, endsAt - at);
    if (current + amount > limit) return { allowed: false, count: current, remaining: Math.max(0, limit - current), resetMs };
    if (amount > 0) {
      if (entry === undefined) {
        if (entries.size >= nextSweep) sweep(at);
        entries.set(key, { count: amount, endsAt });
      } else entry.count += amount;
    }
    const count = current + amount;
    return { allowed: true, count, remaining: Math.max(0, limit - count), resetMs };
  };

  return {
    apply(ops: readonly CounterOp[]): readonly CounterResult[] {
      const at = now();
      const results: CounterResult[] = new Array(ops.length);
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i];
        const result = (results[i] = one(at, op.key, op.amount, op.limit, op.window));
        if (!result.allowed) {
          results.length = i + 1;
          break;
        }
      }
      return results;
    },
    async increment(key: string, amount: number, limit: number, window: CounterWindow): Promise<CounterResult> {
      return one(now(), key, amount, limit, window);
    },
    async close() {
      entries.clear();
    },
  };
}

/** When a window starting now ends: the end of the aligned period `at` is in, or one period on. */
function windowEnd(at: number, window: CounterWindow): number {
  const aligned = alignedWindow(at, window);
  return aligned === undefined ? at + window.periodMs : aligned.endsAt;
}
