import { counterOp, type CounterOp, type CounterResult, type CounterWindow } from '../../counters/index.ts';
import type { PolicyContext } from '../../policy/runtime/context.ts';
import { getHeader } from '../../policy/runtime/headers.ts';
import { errorState } from '../../policy/runtime/target.ts';
import type { Outcome, PolicyFailure } from '../../policy/runtime/types.ts';
import { keptPerValue, reachedCheck, type KeptValues, type LimitPlan } from '../../policy/runtime/limits.ts';

export interface Quota {
  /** The counter keys of its calls and of its bytes ('' when that is not limited). */
  readonly callsKey: string;
  readonly bytesKey: string;
  /** Calls per period; undefined when only bandwidth is limited. */
  readonly calls?: number;
  /** Kilobytes per period. */
  readonly kilobytes?: number;
  readonly window: CounterWindow;
}

/** A quota counted under `key` (`key:calls`, `key:bytes`). */
export function quota(key: string, calls: number | undefined, kilobytes: number | undefined, window: CounterWindow): Quota {
  return { callsKey: calls === undefined ? '' : `${key}:calls`, bytesKey: kilobytes === undefined ? '' : `${key}:bytes`, calls, kilobytes, window };
}

/** One quota with its operations for one call, made once per counter-key value (see `keptPerValue`). */
export interface KeptQuota {
  /** The one quota, as a list for the plan. */
  readonly quotas: readonly [Quota];
  readonly oneCall: QuotaOps;
}

/** The quota of each counter-key value, counted under `prefix + value`, kept per value. */
export function quotaByKey(prefix: string, calls: number | undefined, kilobytes: number | undefined, window: CounterWindow): KeptValues<KeptQuota> {
  const id = `quota-by-key\u0000${prefix}\u0000${calls}\u0000${kilobytes}\u0000${window.periodMs}\u0000${window.alignMs}`;
  return keptPerValue(id, (value) => {
    const made = quota(prefix + value, calls, kilobytes, window);
    return { quotas: [made], oneCall: quotaOps([made], 1, true) };
  });
}

/** The plan of a kept quota: its operations are made per request only when they differ from one counted call. */
export function keptQuotaPlan(pc: PolicyContext, kept: KeptQuota, amount: number, countCalls: boolean): LimitPlan {
  const ops = amount === 1 && countCalls ? kept.oneCall : quotaOps(kept.quotas, amount, countCalls);
  return new QuotaPlan(pc, ops);
}

/** A quota whose renewal period is 0 never renews: a window of a hundred years. */
const NEVER = 100 * 365 * 24 * 3600 * 1000;

/** The window of a quota: periods aligned on `first-period-start` (the Unix epoch by default). */
export function quotaWindow(periodSeconds: number, firstPeriodStart: string | undefined): CounterWindow {
  const periodMs = periodSeconds > 0 ? periodSeconds * 1000 : NEVER;
  const start = firstPeriodStart ? Date.parse(firstPeriodStart) : 0;
  return { periodMs, alignMs: Number.isNaN(start) ? 0 : start };
}

/**
 * Counts `amount` calls against each quota (or, when `countCalls` is false, only checks that the
 * calls have not reached it) and checks bandwidth; the first exhausted one answers Azure's 403
 * "Out of call volume quota" / "Out of bandwidth quota" with the time until renewal. The
 * bandwidth of the exchange is counted once the response is final.
 */
export function quotaPlan(pc: PolicyContext, quotas: readonly Quota[], amount: number, countCalls: boolean): LimitPlan {
  return new QuotaPlan(pc, quotaOps(quotas, amount, countCalls));
}

/** The counter operations of quotas, and what each meters (for the message of the one refused). */
interface QuotaOps {
  readonly ops: readonly CounterOp[];
  readonly kinds: readonly ('call volume' | 'bandwidth')[];
  /** The quotas that limit bandwidth, counted once the response is final. */
  readonly metered: readonly Quota[];
}

const NO_QUOTAS: readonly Quota[] = Object.freeze([]);

function quotaOps(quotas: readonly Quota[], amount: number, countCalls: boolean): QuotaOps {
  let count = 0;
  for (const quota of quotas) count += (quota.calls !== undefined ? 1 : 0) + (quota.kilobytes !== undefined ? 1 : 0);
  const ops: CounterOp[] = new Array(count);
  const kinds: ('call volume' | 'bandwidth')[] = new Array(count);
  let at = 0;
  for (const quota of quotas) {
    if (quota.calls !== undefined) {
      ops[at] = countCalls ? counterOp(quota.callsKey, amount, quota.calls, quota.window) : reachedCheck(quota.callsKey, quota.calls, quota.window);
      kinds[at++] = 'call volume';
    }
    if (quota.kilobytes !== undefined) {
      ops[at] = reachedCheck(quota.bytesKey, quota.kilobytes * 1024, quota.window);
      kinds[at++] = 'bandwidth';
    }
  }
  const metered = quotas.filter((q) => q.kilobytes !== undefined);
  return { ops, kinds, metered: metered.length > 0 ? metered : NO_QUOTAS };
}

/** A class rather than a literal with a closure: one object per request and quota policy. */
class QuotaPlan implements LimitPlan {
  readonly ops: readonly CounterOp[];
  /** What each operation meters, for the message of the one refused. */
  readonly #kinds: readonly ('call volume' | 'bandwidth')[];
  readonly #pc: PolicyContext;
  readonly #metered: readonly Quota[];
  constructor(pc: PolicyContext, ops: QuotaOps) {
    this.ops = ops.ops;
    this.#kinds = ops.kinds;
    this.#pc = pc;
    this.#metered = ops.metered;
  }
  settle(results: readonly CounterResult[], from: number): Outcome {
    const count = Math.min(this.ops.length, results.length - from);
    for (let i = 0; i < count; i++) if (!results[from + i].allowed) return quotaExceeded(this.#kinds[i], results[from + i].resetMs);
    if (this.#metered.length > 0) {
      const metered = this.#metered;
      const pc = this.#pc;
      pc.onFinish(async () => {
        const bytes = exchangeBytes(pc);
        await pc.services.counters.apply(metered.map((q) => counterOp(q.bytesKey, bytes, Infinity, q.window)));
      });
    }
    return undefined;
  }
}

function exchangeBytes(pc: PolicyContext): number {
  const size = (headers: readonly string[], body: unknown): number => {
    if (Buffer.isBuffer(body)) return body.length;
    if (typeof body === 'string') return Buffer.byteLength(body);
    return Number(getHeader(headers, 'content-length') ?? 0) || 0;
  };
  const response = pc.response;
  return size(pc.gateway.request.headers, pc.gateway.request.body) + (response ? size(response.headers, response.body) : 0);
}

export function quotaExceeded(kind: 'call volume' | 'bandwidth', resetMs: number): PolicyFailure {
  const message = `Out of ${kind} quota. Quota will be replenished in ${timeSpan(resetMs)}.`;
  return { kind: 'error', reason: 'QuotaExceeded', message, response: errorState(403, message) };
}

/** .NET's TimeSpan text: `hh:mm:ss`, with `d.` in front beyond a day. */
export function timeSpan(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86400);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(Math.floor((total % 86400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return days > 0 ? `${days}.${clock}` : clock;
}
