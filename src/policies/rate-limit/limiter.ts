import { CountersUnavailableError, type CounterWindow } from '../../counters/index.ts';
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
  readonly periodSeconds: number;
}

/**
 * Counts one call against each limit, in order; the first exhausted one answers Azure's 429
 * with Retry-After. Counters that cannot be reached let the call through (fail open), with a
 * warning, unless the gateway makes this policy fail closed (`services.failClosed`).
 */
export async function checkRates(pc: PolicyContext, limits: readonly RateLimit[], amount: number, reporting: RateReporting, source: string): Promise<Outcome> {
  let remaining = Infinity;
  let total = 0;
  for (const limit of limits) {
    const window: CounterWindow = { periodMs: limit.periodSeconds * 1000 };
    let result;
    try {
      result = await pc.services.counters.increment(limit.key, amount, limit.calls, window);
    } catch (error) {
      if (!(error instanceof CountersUnavailableError)) throw error;
      const refused = countersUnavailable(pc, source, error);
      if (refused) return refused;
      continue;
    }
    if (!result.allowed) return rateExceeded(pc, Math.max(1, Math.ceil(result.resetMs / 1000)), reporting);
    if (result.remaining < remaining) {
      remaining = result.remaining;
      total = limit.calls;
    }
  }
  if (remaining !== Infinity) report(pc, remaining, total, reporting);
  return undefined;
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

/**
 * What a limit policy does when its counters cannot answer: a failure answering 503 when the
 * gateway makes it fail closed, otherwise undefined (the call goes on) after a warning.
 */
export function countersUnavailable(pc: PolicyContext, source: string, error: Error): PolicyFailure | undefined {
  if (pc.services.failClosed?.includes(source)) {
    pc.services.log(`${source}: ${error.message}; the call is refused`);
    return { kind: 'error', reason: 'CountersUnavailable', message: error.message, response: errorState(503, 'Service unavailable') };
  }
  pc.services.log(`${source}: ${error.message}; the call is let through`);
  return undefined;
}
