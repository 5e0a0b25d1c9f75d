import type { PolicyFactory } from '../../policy/runtime/types.ts';
import { limitStep } from '../../policy/runtime/limits.ts';
import { quota, quotaPlan, quotaWindow, type Quota } from './meter.ts';

/**
 * Calls and/or kilobytes per subscription per renewal period, counted where the policy is
 * declared; nested `<api>` and `<operation>` add quotas for the named API and operation.
 * Beyond: 403 "Out of call volume quota. Quota will be replenished in hh:mm:ss.". Calls without a
 * subscription are not metered (use quota-by-key).
 */
export const runtime: PolicyFactory = function compileQuota(input) {
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const start = input.constant('first-period-start');
  const period = Number(input.constant('renewal-period'));
  const own = { calls: num(input.constant('calls')), kilobytes: num(input.constant('bandwidth')), window: quotaWindow(period, start) };
  const names = (e: Parameters<typeof input.constant>[1]) => [input.constant('name', e), input.constant('id', e)].filter((n): n is string => !!n).map((n) => n.toLowerCase());
  const apis = input.children('api').map((api) => ({
    names: names(api),
    calls: num(input.constant('calls', api)),
    kilobytes: num(input.constant('bandwidth', api)),
    window: quotaWindow(Number(input.constant('renewal-period', api) ?? period), start),
    operations: input.children('operation', api).map((op) => ({
      names: names(op),
      calls: num(input.constant('calls', op)),
      kilobytes: num(input.constant('bandwidth', op)),
      window: quotaWindow(Number(input.constant('renewal-period', op) ?? input.constant('renewal-period', api) ?? period), start),
    })),
  }));
  const prefix = `quota:${input.scope}:${input.scopeId.toLowerCase()}`;
  return limitStep({
    source: 'quota',
    readsContext: false,
    setsVariables: false,
    plan(pc) {
      const subscription = pc.gateway.subscription;
      if (subscription === undefined) return undefined;
      const quotas: Quota[] = [quota(`${prefix}:${subscription.key}`, own.calls, own.kilobytes, own.window)];
      if (apis.length > 0) {
        const api = pc.gateway.api.name.toLowerCase();
        const operation = pc.gateway.operation.name.toLowerCase();
        for (const a of apis) {
          if (!a.names.includes(api)) continue;
          quotas.push(quota(`${prefix}:${subscription.key}:api:${api}`, a.calls, a.kilobytes, a.window));
          for (const o of a.operations) {
            if (o.names.includes(operation)) quotas.push(quota(`${prefix}:${subscription.key}:api:${api}:operation:${operation}`, o.calls, o.kilobytes, o.window));
          }
        }
      }
      return quotaPlan(pc, quotas, 1, true);
    },
  });
};
