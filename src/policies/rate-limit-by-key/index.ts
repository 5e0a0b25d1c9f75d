import { toPolicyBoolean } from '../../policy/expressions/index.ts';
import { keptPerValue, limitStep, reachedCheck } from '../../policy/runtime/limits.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';
import type { PolicyContext } from '../../policy/runtime/context.ts';
import { keptRateLimits, keptRatePlan, rateExceeded, report, reportingOf, retryAfterOf, setsVariables, type KeptRateLimits } from '../rate-limit/limiter.ts';

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
  // Calls and period are usually constants: their numbers, window and key prefix are made once.
  const fixedLimit = input.isExpression('calls') ? undefined : Number(input.constant('calls'));
  const fixedSeconds = input.isExpression('renewal-period') ? undefined : Number(input.constant('renewal-period'));
  const fixedWindow = fixedSeconds === undefined ? undefined : { periodMs: fixedSeconds * 1000 };
  const fixedLimits =
    fixedSeconds === undefined || fixedLimit === undefined
      ? undefined
      : keptPerValue(`rate-limit-by-key\u0000${fixedSeconds}\u0000${fixedLimit}`, (value) => keptRateLimits([{ key: `rate-limit-by-key:${fixedSeconds}:${value}`, calls: fixedLimit, window: fixedWindow! }]));
  const limitsOf = (pc: PolicyContext): KeptRateLimits => {
    if (fixedLimits !== undefined) return fixedLimits(counterKey(pc), pc.gateway.subscription);
    const limit = fixedLimit ?? Number(calls(pc));
    const seconds = fixedSeconds ?? Number(period(pc));
    return keptRateLimits([{ key: `rate-limit-by-key:${seconds}:${counterKey(pc)}`, calls: limit, window: fixedWindow ?? { periodMs: seconds * 1000 } }]);
  };
  return limitStep({
    source: 'rate-limit-by-key',
    // counter-key is always given and usually an expression; calls and periods may be too.
    readsContext: true,
    setsVariables: setsVariables(reporting),
    plan(pc) {
      const kept = limitsOf(pc);
      const amount = incrementCount ? Number(incrementCount(pc)) : 1;
      if (condition === undefined) return keptRatePlan(pc, kept, amount, reporting);
      const { key, calls: limit, window } = kept.limits[0];
      // Checked now (refused once the count has reached the limit), counted after the response.
      return {
        ops: [reachedCheck(key, limit, window)],
        settle(results, from) {
          const current = results[from];
          if (!current.allowed) return rateExceeded(pc, retryAfterOf(current.resetMs), reporting);
          report(pc, Math.max(0, limit - current.count - amount), limit, reporting);
          pc.onFinish(async () => {
            if (toPolicyBoolean(condition(pc))) await pc.services.counters.increment(key, amount, Infinity, window);
          });
          return undefined;
        },
      };
    },
  });
};
