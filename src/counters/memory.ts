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
  /** The counters the entry belongs to: an operation's cell is theirs only. */
  readonly owner: object;
  /** Swept out of the map: an operation keeping it looks its key up again. */
  gone: boolean;
}

/**
 * Counters of one process: exact for one gateway replica. Answers synchronously.
 *
 * An entry is found once per operation object: it is kept in the operation's `cell`, so a
 * limit policy's operation (made once per counter-key value) reaches its count without a lookup
 * in a map of every key — with 10,000 keys, memory the processor no longer holds in its caches.
 * An entry stays the same object while its key is counted (a window that ended starts again in
 * it), and is marked gone when a sweep removes it.
 */
export function createMemoryCounters(options: MemoryCountersOptions = {}): Counters {
  const now = options.now ?? Date.now;
  const sweepAt = options.sweepAt ?? 10_000;
  const entries = new Map<string, Entry>();
  const owner = {};
  let nextSweep = sweepAt;

  const sweep = (at: number): void => {
    for (const [key, entry] of entries) {
      if (entry.endsAt <= at) {
        entry.gone = true;
        entries.delete(key);
      }
    }
    nextSweep = Math.max(sweepAt, entries.size * 2);
  };

  /** The entry of `op`'s key: its cell when it is one of ours still in the map, else the map's (kept in the cell). */
  const entryOf = (op: CounterOp): Entry | undefined => {
    const cell = op.cell as Entry | undefined;
    if (cell !== undefined && cell.owner === owner && !cell.gone) return cell;
    const entry = entries.get(op.key);
    if (entry !== undefined) op.cell = entry;
    return entry;
  };

  const one = (at: number, key: string, entry: Entry | undefined, amount: number, limit: number, window: CounterWindow): CounterResult => {
    // One entry per key: an aligned window that has ended is over at `endsAt` like any other,
    // so the next one starts from zero in the same entry.
    const ended = entry === undefined || entry.endsAt <= at;
    const current = ended ? 0 : entry.count;
    const endsAt = ended ? windowEnd(at, window) : entry.endsAt;
    const resetMs = Math.max(0, endsAt - at);
    if (current + amount > limit) return { allowed: false, count: current, remaining: Math.max(0, limit - current), resetMs };
    if (amount > 0) {
      if (entry === undefined) {
        if (entries.size >= nextSweep) sweep(at);
        entries.set(key, { count: amount, endsAt, owner, gone: false });
      } else {
        entry.count = current + amount;
        entry.endsAt = endsAt;
      }
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
        const result = (results[i] = one(at, op.key, entryOf(op), op.amount, op.limit, op.window));
        if (!result.allowed) {
          results.length = i + 1;
          break;
        }
      }
      return results;
    },
    async increment(key: string, amount: number, limit: number, window: CounterWindow): Promise<CounterResult> {
      return one(now(), key, entries.get(key), amount, limit, window);
    },
    async close() {
      for (const entry of entries.values()) entry.gone = true;
      entries.clear();
    },
  };
}

/** When a window starting now ends: the end of the aligned period `at` is in, or one period on. */
function windowEnd(at: number, window: CounterWindow): number {
  const aligned = alignedWindow(at, window);
  return aligned === undefined ? at + window.periodMs : aligned.endsAt;
}
