import { toPolicyBoolean } from '../../policy/expressions/index.ts';
import { limitStep } from '../../policy/runtime/limits.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';
import { keptQuotaPlan, quotaByKey, quotaWindow } from '../quota/meter.ts';

/**
 * Calls and/or kilobytes per `counter-key` per renewal period. With `increment-condition`, the
 * quota is checked before the backend call and the call counted once the response is known.
 */
export const runtime: PolicyFactory = function compileQuotaByKey(input) {
  const calls = input.constant('calls');
  const bandwidth = input.constant('bandwidth');
  const period = Number(input.constant('renewal-period'));
  const window = quotaWindow(period, input.constant('first-period-start'));
  const counterKey = input.value('counter-key')!;
  const condition = input.raw('increment-condition');
  const incrementCount = input.value('increment-count');
  const callLimit = calls === undefined ? undefined : Number(calls);
  const kilobytes = bandwidth === undefined ? undefined : Number(bandwidth);
  const quotaOf = quotaByKey(`quota-by-key:${period}:`, callLimit, kilobytes, window);
  return limitStep({
    source: 'quota-by-key',
    readsContext: true,
    setsVariables: false,
    plan(pc) {
      const kept = quotaOf(counterKey(pc), pc.gateway.subscription);
      const amount = incrementCount ? Number(incrementCount(pc)) : 1;
      if (condition === undefined) return keptQuotaPlan(pc, kept, amount, true);
      const plan = keptQuotaPlan(pc, kept, amount, false);
      const quota = kept.quotas[0];
      if (quota.calls === undefined) return plan;
      // Checked now, counted once the response is known and the condition holds.
      return {
        ops: plan.ops,
        settle(results, from) {
          const outcome = plan.settle(results, from);
          if (outcome === undefined) {
            pc.onFinish(async () => {
              if (toPolicyBoolean(condition(pc))) await pc.services.counters.increment(quota.callsKey, amount, Infinity, window);
            });
          }
          return outcome;
        },
      };
    },
  });
};
