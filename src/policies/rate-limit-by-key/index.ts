import { toPolicyBoolean } from '../../policy/expressions/index.ts';
import { CountersUnavailableError } from '../../counters/index.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';
import { checkRates, countersUnavailable, rateExceeded, report, reportingOf } from '../rate-limit/limiter.ts';

/**
 * Calls per `counter-key` per renewal period, shared by every API and gateway replica using the
 * same counters. With `increment-condition`, the limit is checked before the backend call and
 * the call is counted once the response is known (the condition may read context.Response).
 */
export const runtime: PolicyFactory = function compileRateLimitByKey(input) {
  const calls = input.value('calls')!;
  const period = input.value('renewal-period')!;
  const counterKey = input.value('counter-key')!;
  const condition = input.raw('increment-condition');
  const incrementCount = input.value('increment-count');
  const reporting = reportingOf((n) => input.constant(n));
  return async function rateLimitByKey(pc) {
    const limit = Number(calls(pc));
    const seconds = Number(period(pc));
    const key = `rate-limit-by-key:${seconds}:${counterKey(pc)}`;
    const amount = incrementCount ? Number(incrementCount(pc)) : 1;
    if (condition === undefined) return checkRates(pc, [{ key, calls: limit, periodSeconds: seconds }], amount, reporting, 'rate-limit-by-key');
    const window = { periodMs: seconds * 1000 };
    try {
      const current = await pc.services.counters.increment(key, 0, Infinity, window);
      if (current.count >= limit) return rateExceeded(pc, Math.max(1, Math.ceil(current.resetMs / 1000)), reporting);
      report(pc, Math.max(0, limit - current.count - amount), limit, reporting);
    } catch (error) {
      if (!(error instanceof CountersUnavailableError)) throw error;
      return countersUnavailable(pc, 'rate-limit-by-key', error);
    }
    pc.onFinish(async () => {
      if (toPolicyBoolean(condition(pc))) await pc.services.counters.increment(key, amount, Infinity, window);
    });
    return undefined;
  };
};
