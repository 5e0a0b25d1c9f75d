import type { PolicyFactory } from '../../policy/runtime/types.ts';

/** Removes a cached value. */
export const runtime: PolicyFactory = function compileCacheRemoveValue(input) {
  const key = input.value('key')!;
  return function cacheRemoveValue(pc) {
    pc.services.cache.delete(`value:${key(pc)}`);
    return undefined;
  };
};
