import type { PolicyFactory } from '../../policy/runtime/types.ts';

/** Reads a cached value into a variable; `default-value` when absent (else the variable is left unset). */
export const runtime: PolicyFactory = function compileCacheLookupValue(input) {
  const key = input.value('key')!;
  const variable = input.constant('variable-name')!;
  const fallback = input.raw('default-value');
  return function cacheLookupValue(pc) {
    const value = pc.services.cache.get(`value:${key(pc)}`);
    if (value !== undefined) pc.variables.set(variable, value);
    else if (fallback) pc.variables.set(variable, fallback(pc));
    return undefined;
  };
};
