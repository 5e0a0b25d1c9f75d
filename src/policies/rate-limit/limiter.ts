import { counterOp, type CounterOp, type CounterResult, type CounterWindow } from '../../counters/index.ts';
import type { LimitPlan } from '../../policy/runtime/limits.ts';
import type { PolicyContext } from '../../policy/runtime/context.ts';
import { setHeader } from '../../policy/runtime/headers.ts';
import { errorState } from '../../policy/runtime/target.ts';
import type { Outcome, PolicyFailure } from '../../policy/runtime/types.ts';

/** Names of the optional headers and variables rate-limit and rate-limit-by-key report into. */
export interface RateReporting {
  readonly retryAfterHeader?: string;
  readonly retryAfterVariable?: string;
  readonly remainingHeader?: string;
  readonly remainingVariable?: string;
  readonly totalHeader?: string;
}

export interface RateLimit {
  readonly key: string;
  readonly calls: number;
  readonly window: CounterWindow;
}

/**
 * The plan that counts `amount` calls against each limit, in order; the first exhausted one
 * answers Azure's 429 with Retry-After. (Counters that cannot answer: see `runLimits` in limits.ts.)
 */
export function ratePlan(pc: PolicyContext, limits: readonly RateLimit[], amount: number, reporting: RateReporting): LimitPlan {
  return new RatePlan(pc, rateOps(limits, amount), reporting);
}

/** The limits of one counter-key value with their operations for one call, made once (see `keptPerValue`). */
export interface KeptRateLimits {
  readonly limits: readonly RateLimit[];
  readonly oneCall: readonly CounterOp[];
}

export function keptRateLimits(limits: readonly RateLimit[]): KeptRateLimits {
  return { limits, oneCall: rateOps(limits, 1) };
}

/** The plan of kept limits: their operations are made per request only for more than one call. */
export function keptRatePlan(pc: PolicyContext, kept: KeptRateLimits, amount: number, reporting: RateReporting): LimitPlan {
  return new RatePlan(pc, amount === 1 ? kept.oneCall : rateOps(kept.limits, amount), reporting);
}

function rateOps(limits: readonly RateLimit[], amount: number): CounterOp[] {
  const ops: CounterOp[] = new Array(limits.length);
  for (let i = 0; i < limits.length; i++) {
    const limit = limits[i];
    ops[i] = counterOp(limit.key, amount, limit.calls, limit.window);
  }
  return ops;
}

/** A class rather than a literal with a closure: one object per request and limit policy. */
class RatePlan implements LimitPlan {
  readonly ops: readonly CounterOp[];
  readonly #pc: PolicyContext;
  readonly #reporting: RateReporting;
  /** `ops[i]` counts against limit i: its `limit` is the limit's calls. */
  constructor(pc: PolicyContext, ops: readonly CounterOp[], reporting: RateReporting) {
    this.ops = ops;
    this.#pc = pc;
    this.#reporting = reporting;
  }
  settle(results: readonly CounterResult[], from: number): Outcome {
    let remaining = Infinity;
    let total = 0;
    const count = Math.min(this.ops.length, results.length - from);
    for (let i = 0; i < count; i++) {
      const result = results[from + i];
      if (!result.allowed) return rateExceeded(this.#pc, retryAfterOf(result.resetMs), this.#reporting);
      if (result.remaining < remaining) {
        remaining = result.remaining;
        total = this.ops[i].limit;
      }
    }
    if (remaining !== Infinity) report(this.#pc, remaining, total, this.#reporting);
    return undefined;
  }
}

/** Whole seconds until a window renews, at least 1. */
export function retryAfterOf(resetMs: number): number {
  return Math.max(1, Math.ceil(resetMs / 1000));
}

/** Whether the reporting sets context variables. */
export function setsVariables(reporting: RateReporting): boolean {
  return reporting.remainingVariable !== undefined || reporting.retryAfterVariable !== undefined;
}

export function report(pc: PolicyContext, remaining: number, total: number, reporting: RateReporting): void {
  if (reporting.remainingVariable) pc.variables.set(reporting.remainingVariable, remaining);
  if (reporting.remainingHeader || reporting.totalHeader) {
    pc.onFinish(() => {
      const headers = pc.ensureResponse().headers;
      if (reporting.remainingHeader) setHeader(headers, reporting.remainingHeader, String(remaining));
      if (reporting.totalHeader) setHeader(headers, reporting.totalHeader, String(total));
    });
  }
}

export function rateExceeded(pc: PolicyContext, retryAfter: number, reporting: RateReporting): PolicyFailure {
  if (reporting.retryAfterVariable) pc.variables.set(reporting.retryAfterVariable, retryAfter);
  if (reporting.remainingVariable) pc.variables.set(reporting.remainingVariable, 0);
  const headers = ['Retry-After', String(retryAfter)];
  if (reporting.retryAfterHeader && reporting.retryAfterHeader.toLowerCase() !== 'retry-after') headers.push(reporting.retryAfterHeader, String(retryAfter));
  if (reporting.remainingHeader) headers.push(reporting.remainingHeader, '0');
  return {
    kind: 'error',
    reason: 'RateLimitExceeded',
    message: 'Rate limit is exceeded',
    response: errorState(429, `Rate limit is exceeded. Try again in ${retryAfter} seconds.`, headers),
  };
}

export function reportingOf(constant: (name: string) => string | undefined): RateReporting {
  return {
    retryAfterHeader: constant('retry-after-header-name'),
    retryAfterVariable: constant('retry-after-variable-name'),
    remainingHeader: constant('remaining-calls-header-name'),
    remainingVariable: constant('remaining-calls-variable-name'),
    totalHeader: constant('total-calls-header-name'),
  };
}
