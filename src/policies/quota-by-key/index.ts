import { toPolicyBoolean } from '../../policy/expressions/index.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';
import { checkQuotas, quotaWindow } from '../quota/meter.ts';

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
  return async function quotaByKey(pc) {
    const key = `quota-by-key:${period}:${counterKey(pc)}`;
    const amount = incrementCount ? Number(incrementCount(pc)) : 1;
    const quota = { key, calls: calls === undefined ? undefined : Number(calls), kilobytes: bandwidth === undefined ? undefined : Number(bandwidth), window };
    if (condition === undefined) return checkQuotas(pc, [quota], amount, true, 'quota-by-key');
    const outcome = await checkQuotas(pc, [quota], amount, false, 'quota-by-key');
    if (outcome === undefined && quota.calls !== undefined) {
      pc.onFinish(async () => {
        if (toPolicyBoolean(condition(pc))) await pc.services.counters.increment(`${key}:calls`, amount, Infinity, window);
      });
    }
    return outcome;
  };
};
