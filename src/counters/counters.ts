/**
 * Shared counters for rate limits and quotas. One contract, two implementations: in process
 * (`createMemoryCounters`) and in Redis (`createRedisCounters`), so that every gateway replica
 * pointing at the same Redis shares one count. Both pass `counters.contract.test.ts`.
 *
 * A counter lives in a fixed window. A window starts with the first increment and lasts
 * `periodMs` (rate limits), or is aligned on `alignMs` so that every replica agrees on calendar
 * periods (quotas with `first-period-start`).
 */
export interface CounterWindow {
  /** Length of the window in milliseconds. */
  readonly periodMs: number;
  /**
   * When set, windows are aligned: they start at `alignMs + k * periodMs` (epoch milliseconds).
   * Otherwise a window starts with the first increment of the key.
   */
  readonly alignMs?: number;
}

export interface CounterResult {
  /** Whether the amount was added (the total stays within the limit). */
  readonly allowed: boolean;
  /** The count after this call (unchanged when not allowed). */
  readonly count: number;
  /** What the limit still allows in this window (0 when exhausted). */
  readonly remaining: number;
  /** Milliseconds until the window renews. */
  readonly resetMs: number;
}

/** One counter operation of a batch: add `amount` to `key` unless the total would exceed `limit`. */
export interface CounterOp {
  readonly key: string;
  readonly amount: number;
  /** May be Infinity (always add). */
  readonly limit: number;
  readonly window: CounterWindow;
  /**
   * Where counters may keep what they found for `key`, so that an operation kept across requests
   * (a limit policy's, for one counter-key value) finds its counter without a lookup. In-memory
   * counters keep their entry here; Redis ignores it.
   */
  cell?: unknown;
}

/** A counter operation with its `cell` slot, so that every operation has the same shape. */
export function counterOp(key: string, amount: number, limit: number, window: CounterWindow): CounterOp {
  return { key, amount, limit, window, cell: undefined };
}

export interface Counters {
  /**
   * Applies operations in order as one atomic step (one round trip for Redis), each as
   * `increment` would, and stops at the first one not allowed: the results run up to and
   * including it, and later operations are not applied. In-memory counters answer synchronously.
   * Rejects (or, when synchronous, throws) CountersUnavailableError as `increment` does.
   */
  apply(ops: readonly CounterOp[]): readonly CounterResult[] | Promise<readonly CounterResult[]>;
  /**
   * Atomically adds `amount` to `key` in its current window, unless the total would exceed
   * `limit`, in which case nothing is added and `allowed` is false. An `amount` of 0 reads the
   * counter (allowed while the count is below the limit… or equal to it: `count <= limit`).
   * `limit` may be Infinity (always add, as bandwidth after the response).
   * Rejects with CountersUnavailableError when the backing store cannot answer in time; it never hangs.
   */
  increment(key: string, amount: number, limit: number, window: CounterWindow): Promise<CounterResult>;
  close(): Promise<void>;
}

export class CountersUnavailableError extends Error {
  readonly code = 'COUNTERS_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'CountersUnavailableError';
  }
}

/** The window an aligned counter is in at `now`: its index (part of the key) and when it ends. */
export function alignedWindow(now: number, window: CounterWindow): { index: number; endsAt: number } | undefined {
  if (window.alignMs === undefined) return undefined;
  const index = Math.floor((now - window.alignMs) / window.periodMs);
  return { index, endsAt: window.alignMs + (index + 1) * window.periodMs };
}
