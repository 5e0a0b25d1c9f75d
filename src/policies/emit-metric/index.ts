import type { PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * Accepted and not run: Atrium has no custom metrics sink yet. Compiling a document that uses
 * it logs one warning; requests are not affected (docs/policies.md lists this).
 */
export const runtime: PolicyFactory = function compileEmitMetric(input) {
  input.services.log(`emit-metric '${input.constant('name') ?? ''}': custom metrics are not collected by Atrium yet; the policy does nothing`);
  return function emitMetric() {
    return undefined;
  };
};
