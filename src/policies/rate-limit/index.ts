import type { PolicyFactory } from '../../policy/runtime/types.ts';
import { checkRates, reportingOf, type RateLimit } from './limiter.ts';

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
  const reporting = reportingOf((n) => input.constant(n));
  const apis = input.children('api').map((api) => ({
    names: [input.constant('name', api), input.constant('id', api)].filter((n): n is string => !!n).map((n) => n.toLowerCase()),
    calls: input.constant('calls', api),
    period: input.constant('renewal-period', api),
    operations: input.children('operation', api).map((op) => ({
      names: [input.constant('name', op), input.constant('id', op)].filter((n): n is string => !!n).map((n) => n.toLowerCase()),
      calls: input.constant('calls', op),
      period: input.constant('renewal-period', op),
    })),
  }));
  const prefix = `rate-limit:${input.scope}:${input.scopeId.toLowerCase()}`;
  return function rateLimit(pc) {
    const subscription = pc.gateway.subscription;
    if (subscription === undefined) return undefined;
    const limits: RateLimit[] = [{ key: `${prefix}:${subscription.key}`, calls, periodSeconds: period }];
    if (apis.length > 0) {
      const api = pc.gateway.api.name.toLowerCase();
      const operation = pc.gateway.operation.name.toLowerCase();
      for (const a of apis) {
        if (!a.names.includes(api)) continue;
        if (a.calls !== undefined) limits.push({ key: `${prefix}:${subscription.key}:api:${api}`, calls: Number(a.calls), periodSeconds: Number(a.period ?? period) });
        for (const o of a.operations) {
          if (!o.names.includes(operation) || o.calls === undefined) continue;
          limits.push({ key: `${prefix}:${subscription.key}:api:${api}:operation:${operation}`, calls: Number(o.calls), periodSeconds: Number(o.period ?? a.period ?? period) });
        }
      }
    }
    return checkRates(pc, limits, 1, reporting, 'rate-limit');
  };
};
