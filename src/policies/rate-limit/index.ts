import type { CounterWindow } from '../../counters/index.ts';
import { limitStep } from '../../policy/runtime/limits.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';
import { ratePlan, reportingOf, setsVariables, type RateLimit } from './limiter.ts';

/**
 * Calls per subscription per renewal period, counted where the policy is declared (a product's
 * rate-limit counts each subscription's calls to all the product's APIs); nested `<api>` and
 * `<operation>` elements add limits for the named API and operation. Beyond a limit: 429 with
 * Retry-After and Azure's "Rate limit is exceeded" message. Calls without a subscription are
 * not limited (use rate-limit-by-key for those).
 */
export const runtime: PolicyFactory = function compileRateLimit(input) {
  const calls = Number(input.constant('calls'));
  const period = Number(input.constant('renewal-period'));
  const windowOf = (seconds: number): CounterWindow => ({ periodMs: seconds * 1000 });
  const window = windowOf(period);
  const reporting = reportingOf((n) => input.constant(n));
  const apis = input.children('api').map((api) => {
    const apiCalls = input.constant('calls', api);
    const apiPeriod = input.constant('renewal-period', api);
    return {
      names: [input.constant('name', api), input.constant('id', api)].filter((n): n is string => !!n).map((n) => n.toLowerCase()),
      calls: apiCalls === undefined ? undefined : Number(apiCalls),
      window: windowOf(Number(apiPeriod ?? period)),
      operations: input.children('operation', api).map((op) => {
        const opCalls = input.constant('calls', op);
        return {
          names: [input.constant('name', op), input.constant('id', op)].filter((n): n is string => !!n).map((n) => n.toLowerCase()),
          calls: opCalls === undefined ? undefined : Number(opCalls),
          window: windowOf(Number(input.constant('renewal-period', op) ?? apiPeriod ?? period)),
        };
      }),
    };
  });
  const prefix = `rate-limit:${input.scope}:${input.scopeId.toLowerCase()}`;
  return limitStep({
    source: 'rate-limit',
    readsContext: false,
    setsVariables: setsVariables(reporting),
    plan(pc) {
      const subscription = pc.gateway.subscription;
      if (subscription === undefined) return undefined;
      const limits: RateLimit[] = [{ key: `${prefix}:${subscription.key}`, calls, window }];
      if (apis.length > 0) {
        const api = pc.gateway.api.name.toLowerCase();
        const operation = pc.gateway.operation.name.toLowerCase();
        for (const a of apis) {
          if (!a.names.includes(api)) continue;
          if (a.calls !== undefined) limits.push({ key: `${prefix}:${subscription.key}:api:${api}`, calls: a.calls, window: a.window });
          for (const o of a.operations) {
            if (!o.names.includes(operation) || o.calls === undefined) continue;
            limits.push({ key: `${prefix}:${subscription.key}:api:${api}:operation:${operation}`, calls: o.calls, window: o.window });
          }
        }
      }
      return ratePlan(pc, limits, 1, reporting);
    },
  });
};
